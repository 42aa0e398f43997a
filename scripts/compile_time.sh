#!/usr/bin/env bash
# Compile-time cost of #[cors]: two generated crates with N handlers each,
# annotated and plain; each is rebuilt alone (dependencies already built)
# after touching its source, and the median of RUNS rebuilds is reported.
#
#   scripts/compile_time.sh          # N=200, RUNS=5, debug profile
#   FAST_MACROS=1 scripts/compile_time.sh   # proc macros built optimised, as
#                                           # `[profile.dev.build-override] opt-level = 3`
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
RUNS=${RUNS:-5}
root=$PWD/target/compile-bench${FAST_MACROS:+-fast}
mkdir -p "$root"

generate() { # kind
  local dir=$root/$1
  mkdir -p "$dir/src"
  cp Cargo.lock "$dir/Cargo.lock"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "compile-bench-$1"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
actix-web = { version = "4.15", default-features = false, features = ["macros"] }
cors-actix = { path = "$PWD/cors-actix" }
TOML
  if [ -n "${FAST_MACROS:-}" ]; then
    printf '\n[profile.dev.build-override]\nopt-level = 3\n' >>"$dir/Cargo.toml"
  fi
  {
    echo 'use actix_web::{get, App, HttpResponse, Responder};'
    [ "$1" = annotated ] && echo 'use cors_actix::cors;'
    for i in $(seq 1 "$N"); do
      [ "$1" = annotated ] &&
        echo "#[cors(origins = [\"https://app$i.example.com\", \"https://*.tenant$i.example.net\"], headers = [\"content-type\", \"authorization\"], expose = [\"x-total-count\"], credentials, max_age = 600)]"
      echo "#[get(\"/r$i/items/{id}\")]"
      echo "async fn h$i() -> impl Responder { HttpResponse::Ok().body(\"$i\") }"
    done
    echo 'fn main() {'
    echo '    let _app = App::new()'
    [ "$1" = annotated ] && echo '        .wrap(cors_actix::Cors::new())'
    for i in $(seq 1 "$N"); do echo "        .service(h$i)"; done
    echo '        ;'
    echo '}'
  } >"$dir/src/main.rs"
}

measure() { # kind -> prints median milliseconds
  local dir=$root/$1 times=()
  (cd "$dir" && CARGO_TARGET_DIR=$root/target cargo build --quiet)
  for _ in $(seq "$RUNS"); do
    touch "$dir/src/main.rs"
    local start end
    start=$(date +%s%N)
    (cd "$dir" && CARGO_TARGET_DIR=$root/target cargo build --quiet)
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

generate annotated
generate plain
plain=$(measure plain)
annotated=$(measure annotated)
ratio=$(awk -v a="$annotated" -v p="$plain" 'BEGIN { printf "%.2f", a / p }')
printf '| crate | handlers | rebuild (median of %s) |\n|---|---:|---:|\n' "$RUNS"
printf '| plain | %s | %s ms |\n| annotated | %s | %s ms |\n' "$N" "$plain" "$N" "$annotated"
printf '\nratio annotated / plain: %s\n' "$ratio"
