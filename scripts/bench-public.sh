#!/usr/bin/env bash
# Load benchmark of the public endpoints against a bare hyper "hello" server, in the same run,
# on loopback with wrk. Targets (issue #6): each endpoint reaches at least half of hello's
# requests per second, with p99 latency under 10 ms and no errors.
#
#   scripts/bench-public.sh                 # SQLite, 3,000,000 synthetic people (made once)
#   PEOPLE=200000 scripts/bench-public.sh   # a smaller data set
#   DB=postgres scripts/bench-public.sh     # PostgreSQL (database erjian_bench on 127.0.0.1)
#   SAMPLE=wide scripts/bench-public.sh     # identifiers drawn across the whole register (300,000):
#                                           # real scans, mostly past the answer cache
#   DB=postgres PROCESSES=2 scripts/bench-public.sh
#                                           # two erjian processes on one PostgreSQL behind HAProxy
#                                           # (TCP, round robin; installed from Debian when missing)
#
# Environment: PEOPLE, DB (sqlite|postgres), SAMPLE (cached: 20,000 identifiers | wide: 300,000), DURATION (s, default 15), CONNECTIONS (default 32),
# THREADS (wrk threads, default 1), WARMUP (s before each measurement, default 5), DATA (default ./bench-data).
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-3000000}
DB=${DB:-sqlite}
SAMPLE=${SAMPLE:-cached}
case "$SAMPLE" in cached) SAMPLE_COUNT=20000 ;; wide) SAMPLE_COUNT=300000 ;; *) echo "bench: SAMPLE is cached or wide"; exit 2 ;; esac
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-5}
DATA=${DATA:-./bench-data}/$DB-$PEOPLE
PROCESSES=${PROCESSES:-1}
case "$PROCESSES" in 1) ;; 2) [ "$DB" = postgres ] || { echo "bench: PROCESSES=2 needs DB=postgres (processes share the database)"; exit 2; } ;; *) echo "bench: PROCESSES is 1 or 2"; exit 2 ;; esac

command -v wrk >/dev/null || { echo "bench: installing wrk"; sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk >/dev/null; }
cargo build --release --locked -q
BIN=./target/release/erjian
mkdir -p "$DATA"
if [ "$DB" = postgres ]; then
  export ERJIAN_DATABASE_URL=${ERJIAN_DATABASE_URL:-postgres://root@127.0.0.1:5432/erjian_bench}
  if ! psql "${ERJIAN_DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='erjian_bench'" | grep -q 1; then
    psql "${ERJIAN_DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE erjian_bench"
  fi
fi
if [ ! -f "$DATA/.seeded" ]; then
  echo "bench: creating $PEOPLE synthetic people ($DB)"
  /usr/bin/time -f "bench: synthetic data took %e s, max RSS %M KB" $BIN --data "$DATA" demo --synthetic "$PEOPLE" 2>&1 | grep -v ' / ' || true
  touch "$DATA/.seeded"
fi
SAMPLES="$DATA/sample-$SAMPLE"
[ -f "$SAMPLES/licences.txt" ] || $BIN --data "$DATA" bench sample --count "$SAMPLE_COUNT" --out "$SAMPLES"

$BIN --data "$DATA" serve --addr 127.0.0.1:18080 --rate-limit 0 >"$DATA/serve.log" 2>&1 &
SERVE=$!
$BIN bench hello --addr 127.0.0.1:18081 >/dev/null 2>&1 &
HELLO=$!
PIDS="$SERVE $HELLO"
trap 'kill $PIDS 2>/dev/null || true' EXIT
TARGET=http://127.0.0.1:18080
if [ "$PROCESSES" = 2 ]; then
  command -v haproxy >/dev/null || { sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq haproxy >/dev/null; }
  $BIN --data "$DATA" serve --addr 127.0.0.1:18082 --rate-limit 0 >"$DATA/serve2.log" 2>&1 &
  PIDS="$PIDS $!"
  cat >"$DATA/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend public
  bind 127.0.0.1:18090
  default_backend erjian
backend erjian
  balance roundrobin
  server one 127.0.0.1:18080
  server two 127.0.0.1:18082
CFG
  haproxy -f "$DATA/haproxy.cfg" >"$DATA/haproxy.log" 2>&1 &
  PIDS="$PIDS $!"
  TARGET=http://127.0.0.1:18090
fi
for _ in $(seq 100); do curl -fs $TARGET/healthz >/dev/null 2>&1 && curl -fs http://127.0.0.1:18081/ >/dev/null 2>&1 && break; sleep 0.2; done

run() { # name url [lua-script input-file]
  local name=$1 url=$2; shift 2
  local script=() input=()
  if [ $# -gt 0 ]; then script=(-s "$1"); input=(-- "$2"); fi
  # Warm-up: steady state, with the answer cache filled for most of the sample (WARMUP seconds).
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${script[@]}" "$url" "${input[@]}" >/dev/null 2>&1 || true
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${script[@]}" "$url" "${input[@]}" 2>"$DATA/$name.err")
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$( (grep -c status "$DATA/$name.err" || true); awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  printf '%-12s %12s req/s   p99 %8s   errors: %s\n' "$name" "$rps" "$p99" "$(echo "$errors" | tr '\n' ' ')"
  echo "$rps" >"$DATA/$name.rps"; echo "$p99" >"$DATA/$name.p99"
}
echo "bench: $DB, $PROCESSES process(es), $PEOPLE people, $SAMPLE sample ($(wc -l <"$SAMPLES/licences.txt") identifiers), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $(nproc) cores"
run hello http://127.0.0.1:18081/
run qr-status $TARGET scripts/wrk/licences.lua "$SAMPLES/licences.txt"
run query $TARGET scripts/wrk/queries.lua "$SAMPLES/queries.txt"
hello=$(cat "$DATA/hello.rps")
for e in qr-status query; do
  awk -v n="$e" -v r="$(cat "$DATA/$e.rps")" -v h="$hello" -v p="$(cat "$DATA/$e.p99")" 'BEGIN {
    ms = p; if (p ~ /us$/) ms = p / 1000; else if (p ~ /ms$/) ms = p + 0; else if (p ~ /s$/) ms = p * 1000;
    printf "%-12s %.0f%% of hello (target >= 50%%), p99 %.2f ms (target < 10 ms)\n", n, 100 * r / h, ms }'
done
