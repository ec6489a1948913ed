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

# The operator tool in the dev profile (shares build artefacts with `make test`).
ACCOUNT_SUMMARY := cargo run --quiet -p account-summary-cli --bin account-summary --

# The local stack (moto + local API gateway) on free ports: asks for the summary of sample
# account A-2e4581 over HTTP with a token, prints it, stops everything it started.
demo: venv
	cargo build -p account-summary-cli
	$(ACCOUNT_SUMMARY) demo

# The local stack in the foreground until Ctrl-C (PORT, default 9000; LOCAL_AWS_PORT,
# default 5005): prints a token and a curl line.
dev: venv
	cargo build -p account-summary-cli
	$(ACCOUNT_SUMMARY) dev

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
