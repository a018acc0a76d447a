#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a demo server's OpenAPI document (generated from the handlers'
# types): every check (its default; exemptions with their reasons in schemathesis.toml) on every
# operation (ERJIAN_ST_PATHS, a regular expression, narrows the run), once for each demo account
# of ERJIAN_ST_USERS (user:password, space-separated), each on its own fresh demo server, so every
# role's answers are checked, not only one role's refusals. The runs go side by side (schemathesis
# is bound by its own CPU); their reports are printed one after another. Fails on any server
# error or conformance failure. POST /api/logout is not run: it would end the session the other
# operations use.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import schemathesis" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check schemathesis \
  || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages schemathesis
bin="${ERJIAN_BIN:-target/debug/erjian}"
[ -x "$bin" ] || cargo build --quiet -p erjian
users="${ERJIAN_ST_USERS:-admin:Admin2026 city1:Shenhe2026 province:Shenhe2026 91340100MA2T50123P:Qiye2026 34010419790611003X:Geren2026}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# One run: a fresh demo server, the account's token, schemathesis over the document.
run() {
  local user="$1" password="$2" data port server token
  data="$(mktemp -d -p "$work")"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # No rate limit: schemathesis sends hundreds of requests a second from one address.
  "$bin" --data "$data" serve --demo --addr "127.0.0.1:$port" --rate-limit 0 >"$data/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  token="$(curl -fs -H 'content-type: application/json' -d "{\"username\":\"$user\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
  local status=0
  (cd scripts && python3 -m schemathesis.cli --config-file schemathesis.toml run "http://127.0.0.1:$port/api/openapi.json" \
    --url "http://127.0.0.1:$port" \
    --include-path-regex "${ERJIAN_ST_PATHS:-^/api/(?!logout$)}" \
    --header "Authorization: Bearer $token" \
    --max-examples "${ERJIAN_ST_EXAMPLES:-30}" \
    --workers 1 \
    --seed "${ERJIAN_ST_SEED:-1}" \
    --no-color \
    --suppress-health-check all) || status=$?
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  return $status
}

pids=()
names=()
for account in $users; do
  user="${account%%:*}"
  run "$user" "${account#*:}" >"$work/$user.log" 2>&1 &
  pids+=($!)
  names+=("$user")
done
failed=()
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed+=("${names[$i]}")
done
for user in "${names[@]}"; do
  echo "=============================== schemathesis as $user ==============================="
  cat "$work/$user.log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "schemathesis: failures as ${failed[*]}" >&2
  exit 1
fi
echo "schemathesis: every operation passed as ${names[*]}"
