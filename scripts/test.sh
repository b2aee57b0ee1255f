#!/usr/bin/env bash
# Runs every polvo test with all of its set-up, from a fresh checkout.
#
# Tests that read the real vendor specs and the APIs.guru corpus look for
# them in ../shared and skip, saying so, when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== cargo test --workspace"
cargo test --workspace
