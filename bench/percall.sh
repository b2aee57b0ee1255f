#!/usr/bin/env bash
# Per-call overhead of polvo's runtime stack against reqwest by hand and a
# progenitor client (generated from bench/percall/spec.yaml at build time by
# progenitor's `generate_api!`), one in-process server, one run.
#
# Usage: bash bench/percall.sh [--no-progenitor]
# Prints Markdown tables: call future sizes, heap allocations per call, and
# the time per call (interleaved rounds, medians), with the load average.
#
# Environment (optional): CARGO_TARGET_DIR (default /tmp/bench/percall-target),
# JOBS (cargo -j, default 1).
set -eu
cd "$(dirname "$0")/percall"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/bench/percall-target}
features=()
if [ "${1:-}" = "--no-progenitor" ]; then features=(--no-default-features); fi
cargo build -q --release -j "${JOBS:-1}" "${features[@]}"
echo "load before: $(uptime)"
echo
"$CARGO_TARGET_DIR/release/percall"
echo "load after: $(uptime)"
