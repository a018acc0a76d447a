#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a demo server's generated OpenAPI document: every check (its
# default; exemptions with their reasons in schemathesis.toml), on the
# operations the document describes by their types (ERJIAN_ST_PATHS, a regular expression), with a
# demo reviewer's token for those that need one. Fails on any server error or conformance failure.
# POST /api/logout is typed but not run: it would end the session the other operations use.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import schemathesis" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check schemathesis \
  || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages schemathesis
bin="${ERJIAN_BIN:-target/debug/erjian}"
[ -x "$bin" ] || cargo build --quiet -p erjian
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# No rate limit: schemathesis sends hundreds of requests a second from one address.
"$bin" --data "$data" serve --demo --addr "127.0.0.1:$port" --rate-limit 0 >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
token="$(curl -fs -H 'content-type: application/json' -d '{"username":"city1","password":"Shenhe2026"}' "http://127.0.0.1:$port/api/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
cd scripts
python3 -m schemathesis.cli --config-file schemathesis.toml run "http://127.0.0.1:$port/api/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --include-path-regex "${ERJIAN_ST_PATHS:-^/api/(public/|verify/|login$|login/second-factor$|me$|signup/|reasons$|account/(password|sessions)|signing$|usage-copies$|certificates/(reissue|annotate)$|certificate-holds$)}" \
  --header "Authorization: Bearer $token" \
  --max-examples "${ERJIAN_ST_EXAMPLES:-40}" \
  --workers 1 \
  --seed 1 \
  --suppress-health-check all
