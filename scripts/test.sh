#!/usr/bin/env bash
# Runs every polvo check and test with all of its set-up, from a fresh
# checkout: formatting, clippy, rustdoc and the minimum Rust version, then
# the tests.
#
# Every step runs even when an earlier one failed, so one run shows every
# finding; the run fails at the end, naming the steps that failed. The
# static checks come first: they take a fraction of the tests' time and
# print their findings before the long test run starts.
#
# Tests that read the real vendor specs and the APIs.guru corpus look for
# them in ../shared and skip, saying so, when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

failed=()

# step NAME COMMAND...: runs COMMAND, remembering NAME if it fails.
step() {
  local name="$1"
  shift
  echo "== $name"
  if ! "$@"; then
    failed+=("$name")
    echo "== FAILED: $name"
  fi
}

step "cargo fmt --all --check" cargo fmt --all --check

# Warnings are errors, the workspace lints (Cargo.toml) included:
# missing docs, over-long functions, and std APIs newer than the declared
# rust-version (`incompatible_msrv`; tests/msrv.rs checks the dependencies).
step "cargo clippy --workspace --all-targets -- -D warnings" \
  cargo clippy --workspace --all-targets -- -D warnings

# Broken intra-doc links and missing docs fail the run.
step "cargo doc --workspace --no-deps (RUSTDOCFLAGS=-D warnings)" \
  env RUSTDOCFLAGS="${RUSTDOCFLAGS:-} -D warnings" cargo doc --workspace --no-deps

# The Node test servers (tests/servers/README.md): oidc-provider, Prism and
# oauth2-mock-server, pinned in .ci/package-lock.json.
if [ ! -f .ci/node_modules/.package-lock.json ] \
  || [ .ci/package-lock.json -nt .ci/node_modules/.package-lock.json ]; then
  echo "== npm ci --prefix .ci (installing the Node test servers)"
  npm ci --prefix .ci --no-audit --no-fund
fi

# redis-server (the Debian package) for the fleet tests
# (tests/auth_fleet_redis.rs, with polvo's `redis` feature, which the root
# crate's dev-dependency turns on). The harness starts its own server on a
# free port of 127.0.0.1, so a server the package's service may have
# started on 6379 plays no part.
install_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends redis-server
}
step "redis-server installed (apt-get install -y redis-server when absent)" install_redis
if command -v redis-server >/dev/null 2>&1; then
  echo "== $(redis-server --version)"
fi

# tests/msrv.rs is among them: no dependency of the published crates
# declares a newer rust-version than they do.
step "cargo test --workspace --no-fail-fast" cargo test --workspace --no-fail-fast

if [ "${#failed[@]}" -gt 0 ]; then
  echo "== ${#failed[@]} step(s) failed:"
  printf '   %s\n' "${failed[@]}"
  exit 1
fi
echo "== every step passed"
