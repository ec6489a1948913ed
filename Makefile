# The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_STAMP := $(VENV)/.installed

.PHONY: demo test dev venv lint fmt

# Project-local virtualenv with the pinned tools (moto's server for DynamoDB and Secrets Manager).
venv: $(VENV_STAMP)
$(VENV_STAMP): tools/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

# Every test: unit tests, and integration tests against a moto server started for the run.
test: venv
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	scripts/with-moto.sh cargo test --workspace

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all
