#!/usr/bin/env bash
# Runs every polvo test with all of its set-up, from a fresh checkout.
#
# Tests that read the real vendor specs and the APIs.guru corpus look for
# them in ../shared and skip, saying so, when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# The Node test servers (tests/servers/README.md): oidc-provider, Prism and
# oauth2-mock-server, pinned in .ci/package-lock.json.
if [ ! -f .ci/node_modules/.package-lock.json ] \
  || [ .ci/package-lock.json -nt .ci/node_modules/.package-lock.json ]; then
  echo "== npm ci --prefix .ci (installing the Node test servers)"
  npm ci --prefix .ci --no-audit --no-fund
fi

echo "== cargo test --workspace --no-fail-fast"
cargo test --workspace --no-fail-fast
