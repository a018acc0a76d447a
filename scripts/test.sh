#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, storage stories on SQLite and PostgreSQL,
# API and page tests against the real server, the real-browser test, and schemathesis against
# the generated OpenAPI document.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ERJIAN_TEST_PG="${ERJIAN_TEST_PG:-postgres://$(id -un)@127.0.0.1:5432/test}"
# No incremental caches: a clean CI build gains nothing from them and they double the disk used.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --all-targets --locked
# The API's generated OpenAPI document against a running demo server: no server error, no
# conformance failure.
bash scripts/schemathesis.sh
