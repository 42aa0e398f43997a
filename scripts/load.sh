#!/usr/bin/env bash
# Loopback load test: requests/s and p99 latency of the same app bare, with
# cors-actix and with actix-cors, for preflights and actual requests.
# A regression check only: on 2 cores the kernel and wrk dominate, and the
# run-to-run spread exceeds the middleware's cost (see BENCHMARKS.md).
#
#   scripts/load.sh            # 10 s per run
#   DURATION=30s scripts/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
BASE_PORT=${BASE_PORT:-18080}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet --example bench_server
BASE_PORT=$BASE_PORT target/release/examples/bench_server >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs -o /dev/null "http://127.0.0.1:$((BASE_PORT + 2))/items/1" && break
  sleep 0.1
done

printf '| request | setup | requests/s | p99 latency |\n|---|---|---:|---:|\n'
for kind in preflight actual; do
  port=$BASE_PORT
  for setup in bare cors-actix actix-cors; do
    out=$(wrk -t1 -c32 -d"$DURATION" --latency -s "scripts/$kind.lua" "http://127.0.0.1:$port/items/7")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '| %s | %s | %s | %s |\n' "$kind" "$setup" "$rps" "$p99"
    port=$((port + 1))
  done
done
