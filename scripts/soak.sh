#!/usr/bin/env bash
# Soak test: examples/soak_server.rs (50 routes with CORS policies, bearer
# auth on the scope, Cors outermost; one worker) under mixed traffic from
# wrk on 127.0.0.1 only: preflights, actual requests and hostile requests
# (random and refused origins, huge and repeated headers, bad and lowercase
# methods, non-UTF-8 origins), scripts/soak.lua.
#
# Reports every response whose status or CORS headers differ from what its
# kind of request must get (goal: 0), and the server's resident memory
# (VmRSS) at start, after a warm-up, every 10 s, and at the end (goal:
# flat). The load lasts WARMUP + DURATION seconds, 2 minutes by default,
# and stops by itself. Not part of CI. The last result is saved to
# scripts/soak-result.txt.
#
#   scripts/soak.sh
#   DURATION=50 THREADS=2 scripts/soak.sh
#
# Exit status: 0 when there were no unexpected responses, no socket errors,
# no panic, the server survived and its RSS stayed flat; 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18190}
WARMUP=${WARMUP:-10}
DURATION=${DURATION:-110}
THREADS=${THREADS:-4}
RESULT=${RESULT:-scripts/soak-result.txt}
URL="http://127.0.0.1:$PORT/"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
if (( WARMUP + DURATION > 120 )); then
  echo "WARMUP + DURATION is capped at 120 s" >&2
  exit 1
fi

cargo build --release --quiet --example soak_server
work=$(mktemp -d)
target/release/examples/soak_server >"$work/server.log" 2>&1 &
server=$!
sampler=
cleanup() {
  [[ -n $sampler ]] && kill "$sampler" 2>/dev/null
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$URL" || true)
  [[ $code != 000 ]] && break
  sleep 0.1
done

rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || echo 0; }
rss_start=$(rss)

# Warm-up: workers, the lookup index and allocator pools reach their size.
wrk -t"$THREADS" -c"$THREADS" -d"${WARMUP}s" -s scripts/soak.lua "$URL" >"$work/warmup.txt"
rss_warm=$(rss)

(
  while kill -0 "$server" 2>/dev/null; do
    sleep 10
    echo "$(date -u +%T) $(rss)"
  done
) >"$work/rss.txt" &
sampler=$!
wrk -t"$THREADS" -c"$THREADS" -d"${DURATION}s" --latency -s scripts/soak.lua "$URL" >"$work/run.txt"
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
sampler=
rss_end=$(rss)
sleep 2
rss_idle=$(rss)

alive=yes
kill -0 "$server" 2>/dev/null || alive=no
panics=$(grep -c 'panicked' "$work/server.log" || true)
unexpected_warm=$(awk '/^unexpected:/ {print $2}' "$work/warmup.txt")
unexpected=$(awk '/^unexpected:/ {print $2}' "$work/run.txt")
socket_errors=$(awk -F'[ ,]+' '/^socket errors:/ {print $4 + $6 + $8 + $10}' "$work/run.txt")
checked=$(awk '/^responses checked:/ {print $3}' "$work/run.txt")
growth=$((rss_end - rss_warm))
# Flat: within 2 MiB or 5 % of the warmed-up size.
limit=$((rss_warm / 20 > 2048 ? rss_warm / 20 : 2048))
flat=yes
(( growth > limit )) && flat=no

{
  echo "# scripts/soak.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet -- cors-core/src cors-actix/src cors-macros/src || echo ' (src modified)'), $(nproc) cores, release build"
  echo "server: examples/soak_server.rs, 1 worker, 50 routes behind bearer auth, Cors outermost"
  echo "load: wrk -t$THREADS -c$THREADS -s scripts/soak.lua, ${WARMUP}s warm-up + ${DURATION}s, 127.0.0.1:$PORT"
  echo
  echo "## result"
  echo "responses checked (main run): $checked"
  echo "unexpected responses: $unexpected (warm-up: $unexpected_warm)"
  echo "socket errors: $socket_errors"
  echo "server alive at the end: $alive; panics in its output: $panics"
  echo "VmRSS: start ${rss_start} KiB, after warm-up ${rss_warm} KiB, end ${rss_end} KiB, 2 s later ${rss_idle} KiB"
  echo "growth after warm-up: ${growth} KiB (flat: $flat, limit ${limit} KiB)"
  echo
  echo "## VmRSS every 10 s (KiB)"
  cat "$work/rss.txt"
  echo
  echo "## main run (wrk)"
  cat "$work/run.txt"
} | tee "$RESULT"

[[ $unexpected == 0 && $unexpected_warm == 0 && $socket_errors == 0 && $alive == yes && $panics == 0 && $flat == yes ]]
