# The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_STAMP := $(VENV)/.installed

.PHONY: demo test dev venv lint fmt bench bench-refresh lint-infra package

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

# Every test: the lint of the deployment template and the OpenAPI document, unit tests, and
# integration tests against a moto server started for the run (among them the checks of both
# files against the code, in tests/tests).
test: venv
	$(VENV)/bin/cfn-lint infra/template.yaml
	$(VENV)/bin/openapi-spec-validator infra/openapi.yaml
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	scripts/with-moto.sh cargo test --workspace

# The SAM template against CloudFormation's resource specs, and the OpenAPI document against the
# OpenAPI 3.0 specification (both tools pinned in tools/requirements.txt).
lint-infra: venv
	$(VENV)/bin/cfn-lint infra/template.yaml
	$(VENV)/bin/openapi-spec-validator infra/openapi.yaml

# ---- deployment artefacts ----
# `make package`: the three functions as arm64 Lambda zips (provided.al2023), built by cargo-lambda
# with zig as the cross-linker. Both come as pinned PyPI packages (tools/package-requirements.txt)
# installed into .venv here only, so no toolchain is downloaded; the Rust target must be there.
FUNCTIONS := summary-get summary-refresh summary-feedback
LAMBDA_TARGET := aarch64-unknown-linux-gnu
LAMBDA_DIR ?= target/lambda
PACKAGE_STAMP := $(VENV)/.package-installed

$(PACKAGE_STAMP): tools/package-requirements.txt $(VENV_STAMP)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/package-requirements.txt
	touch $@

package: $(PACKAGE_STAMP)
	@sysroot=$$(rustc --print sysroot); \
	if [ ! -d "$$sysroot/lib/rustlib/$(LAMBDA_TARGET)/lib" ]; then \
	  echo "The Rust target $(LAMBDA_TARGET) is not installed; trying: rustup target add $(LAMBDA_TARGET)"; \
	  if ! rustup target add $(LAMBDA_TARGET); then \
	    echo "" >&2; \
	    echo "error: the Rust standard library for $(LAMBDA_TARGET) is missing and could not be added." >&2; \
	    echo "  With rustup:  rustup target add $(LAMBDA_TARGET)" >&2; \
	    echo "  Without rustup, install your distribution's rust-std package for $(LAMBDA_TARGET)," >&2; \
	    echo "  so that $$sysroot/lib/rustlib/$(LAMBDA_TARGET) exists, then run 'make package' again." >&2; \
	    exit 1; \
	  fi; \
	fi
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" CARGO_ZIGBUILD_PYTHON_PATH="$(CURDIR)/$(VENV)/bin/python" \
	  $(VENV)/bin/cargo-lambda lambda build --release --arm64 --output-format zip \
	  --lambda-dir $(LAMBDA_DIR) $(addprefix --bin ,$(FUNCTIONS))
	@echo "Deployment artefacts ($(LAMBDA_TARGET), provided.al2023):"
	@for f in $(FUNCTIONS); do \
	  zip="$(LAMBDA_DIR)/$$f/bootstrap.zip"; \
	  [ -f "$$zip" ] || { echo "error: $$zip was not produced" >&2; exit 1; }; \
	  printf '  %-48s %9s bytes\n' "$$zip" "$$(stat -c %s "$$zip")"; \
	done

# The scheduled refresh at scale against moto and a scripted LLM (2,000 due summaries, 2 s
# per generation, concurrency 50): time against the ideal, share of time in DynamoDB, LLM
# calls saved when 80 % of inputs are unchanged. BENCH_ACCOUNTS, BENCH_CONCURRENCY,
# BENCH_TENANTS, BENCH_LLM_MS and BENCH_UNCHANGED_PCT override the figures. Optimised, but
# without the release profile's LTO (minutes of linking for a benchmark harness).
bench-refresh: venv
	$(BENCH_PROFILE) scripts/with-moto.sh cargo bench -j2 -p integration-tests --bench scheduled_refresh

# `make bench`: BENCHMARKS.md from one run of everything on this machine. The function binaries
# (and the floor, tests/floor-lambda) in release under a local Lambda Runtime API against moto:
# cold start, AWS and LLM requests and CPU per request, peak memory
# (tests/benches/lambda_functions.rs); the deployment zips' sizes (`make package`); the deid,
# prompt-token and scheduled-refresh benchmarks. Each step's output is kept in target/bench/.
# About 20 minutes from a clean target on 2 cores: three optimised builds (host release, bench
# profile, arm64 release) and the runs.
BENCH_OUT := target/bench
BENCH_PROFILE := CARGO_PROFILE_BENCH_OPT_LEVEL=3 CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16
BENCH_STEP := scripts/bench-step.sh $(BENCH_OUT)

bench: venv
	rm -rf $(BENCH_OUT) && mkdir -p $(BENCH_OUT)
	git describe --always --abbrev=12 --dirty=' (with uncommitted changes)' > $(BENCH_OUT)/commit
	$(BENCH_STEP) release-build cargo build -j2 --release $(addprefix -p ,$(FUNCTIONS)) -p floor-lambda
	$(BENCH_STEP) functions env $(BENCH_PROFILE) BENCH_OUT_DIR=$(CURDIR)/$(BENCH_OUT) \
	  scripts/with-moto.sh cargo bench -j2 -p integration-tests --bench lambda_functions
	$(BENCH_STEP) package $(MAKE) --no-print-directory package
	$(BENCH_STEP) deid env $(BENCH_PROFILE) cargo bench -j2 -p summary-core --bench deid
	$(BENCH_STEP) prompt_tokens env $(BENCH_PROFILE) cargo bench -j2 -p summary-core --bench prompt_tokens
	$(BENCH_STEP) refresh $(MAKE) --no-print-directory bench-refresh
	$(PYTHON) scripts/bench_report.py $(BENCH_OUT) BENCHMARKS.md

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all
