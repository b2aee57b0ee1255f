#!/usr/bin/env bash
# Per-call overhead of polvo's runtime stack against reqwest by hand and a
# progenitor client (generated from bench/percall/spec.yaml at build time by
# progenitor's `generate_api!`), one in-process server, one run.
#
# Usage: bash bench/percall.sh [--no-progenitor] [--instructions]
# Prints Markdown tables: call future sizes, heap allocations per call, and
# the time per call (interleaved rounds, medians), with the load average.
# With --instructions, prints instead the instructions the calling thread's
# calls execute (valgrind's callgrind, 3,000 small GETs per client), which
# do not depend on the machine's load.
#
# Environment (optional): CARGO_TARGET_DIR (default /tmp/bench/percall-target),
# JOBS (cargo -j, default 1).
set -eu
cd "$(dirname "$0")/percall"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/bench/percall-target}
features=()
instructions=false
for arg in "$@"; do
  case "$arg" in
    --no-progenitor) features=(--no-default-features) ;;
    --instructions) instructions=true ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done
cargo build -q --release -j "${JOBS:-1}" "${features[@]}"
bench="$CARGO_TARGET_DIR/release/percall"
if $instructions; then
  command -v valgrind >/dev/null || { echo "--instructions needs valgrind (apt-get install valgrind)" >&2; exit 1; }
  out=$(mktemp -d)
  echo "| small GET, 3,000 calls | instructions per call | vs raw reqwest |"
  echo "|---|---|---|"
  raw=""
  # Variant indexes of PERCALL_PROFILE: 0 raw reqwest, 2 polvo bearer, 3 polvo OAuth.
  for variant in 0 2 3; do
    PERCALL_PROFILE=$variant PERCALL_N=3000 valgrind --tool=callgrind --callgrind-out-file="$out/cg$variant" \
      "$bench" >"$out/log$variant" 2>"$out/valgrind$variant"
    # The largest inclusive count of the calls' loop (callgrind lists it
    # once per source file its code comes from).
    total=$(callgrind_annotate --inclusive=yes "$out/cg$variant" | grep -F 'percall::calls::Calls::run::{{closure}}' \
      | awk '{gsub(",", "", $1); if ($1 + 0 > max) max = $1 + 0} END {print max + 0}')
    name=$(head -1 "$out/log$variant" | cut -d: -f1)
    per_call=$((total / 3000))
    if [ -z "$raw" ]; then raw=$per_call; fi
    echo "| $name | $per_call | $(awk -v a="$per_call" -v b="$raw" 'BEGIN { printf "%.3f×", a / b }') |"
  done
  rm -rf "$out"
  exit 0
fi
echo "load before: $(uptime)"
echo
"$bench"
echo "load after: $(uptime)"
