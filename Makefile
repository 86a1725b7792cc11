# The two commands of the README: `make run` and `make test`. Each installs what it needs:
# `make run` only Rust crates, `make test` also the checks' Python tools (bootstrap).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV := $(CURDIR)/.venv/bin
export SAM_CLI_TELEMETRY := 0
export CARGO_TERM_COLOR ?= never

.PHONY: run reset test bootstrap lint bench soak fuzz build clean

## TeamSync on 127.0.0.1:$${TEAMSYNC_PORT:-8000} with demo data (TEAMSYNC_DEMO=0 for none), on
## the data kept in .local/ from the last run; its API reference at /api/docs/.
run:
	@infra/scripts/reference.sh
	cargo run --quiet --locked -p teamsync-local

## The same on fresh data: deletes what .local/ kept (the table and its files) first.
reset:
	@infra/scripts/reference.sh
	TEAMSYNC_RESET=1 cargo run --quiet --locked -p teamsync-local

## Every check and test: formatting, lints, template checks, unit and black-box tests.
## The last line sums every test binary's result ("N passed, N failed").
test: bootstrap lint
	cargo build --workspace --bins --locked
	@mkdir -p target
	cargo test --workspace --locked --no-fail-fast 2>&1 | tee target/test-output.log
	@awk '/^test result:/ {passed += $$4; failed += $$6} END {printf "%d passed, %d failed\n", passed, failed}' target/test-output.log

lint: bootstrap
	cargo fmt --all -- --check
	$(VENV)/openapi-spec-validator openapi/teamsync.yaml
	$(VENV)/cfn-lint template.yaml -a cfn_lint_serverless.rules
	$(VENV)/sam validate --lint --region us-east-1 --template template.yaml
	cargo clippy --workspace --all-targets --locked -- -D warnings

## Benchmarks that print figures and assert nothing: DynamoDB calls and round trips per
## route, a reminders run over 10,000 tasks, one transaction's cost as the table grows, what
## the views read, and each function's cold start from its release binary (time to first
## answer, peak memory, the AWS calls of its init, CPU per warm request, binary size and its
## arm64 Lambda bootstrap's, which `build` makes first).
bench: build
	cargo run --quiet --locked -p teamsync-tests --bin dynamodb-calls
	cargo run --quiet --locked -p teamsync-tests --bin reminders
	cargo run --quiet --locked -p teamsync-tests --bin transactions
	cargo run --quiet --locked -p teamsync-tests --bin view-reads
	cargo build --release --locked -p teamsync-functions --bins
	cargo run --quiet --locked -p teamsync-tests --bin cold-start

## The black-box suites five times against one local DynamoDB, with its memory after each
## round (minutes; not part of make test).
soak:
	cargo build --workspace --bins --tests --locked
	cargo run --quiet --locked -p teamsync-tests --bin soak

## schemathesis against a fresh local stack, as each role, for FUZZ_SECONDS (default 240)
## per role: prints what it found (not part of make test, which runs a short fixed-seed pass).
fuzz: bootstrap
	cargo run --quiet --locked -p teamsync-tests --bin fuzz

bootstrap:
	@infra/scripts/bootstrap.sh

## arm64 Lambda bootstraps under target/lambda/<function>/bootstrap (zig from the venv).
build: bootstrap
	PATH="$(VENV):$$PATH" cargo lambda build --release --arm64 --locked --workspace --exclude teamsync-local --exclude teamsync-tests

clean:
	cargo clean
	rm -rf .venv .local .aws-sam
