#!/usr/bin/env bash
# Benchmarks polvo on OpenAPI specs: how long expansion takes and how much
# memory it needs, how much code it produces, and what `cargo check` of a
# crate that calls `polvo::service!` on the spec costs.
#
# Usage: bench/run.sh SPEC...
# Prints one Markdown table row per spec. Each check is a full, non-incremental
# check of the crate (dependencies built beforehand), including the macro's own
# expansion in the unoptimized build cargo gives proc macros by default. A warm
# expansion is one served by the expansion cache the macro keeps.
#
# Environment (optional): TAG (generate only operations with this tag), OPS
# (comma-separated operationIds to generate), SERDE (`both`: every type gets
# both serde impls, as `serde = "both"`), WORK
# (default /tmp/bench/polvo-run), CARGO_TARGET_DIR (default
# /tmp/bench/polvo-target). Needs GNU time at /usr/bin/time.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${WORK:-/tmp/bench/polvo-run}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/bench/polvo-target}
[ $# -gt 0 ] || { echo "usage: $0 SPEC..." >&2; exit 2; }
mkdir -p "$WORK"

secs() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0
         for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$1"; }
mb()   { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

cargo build -q --release -p polvo-codegen --example expand || exit 1
EXPAND="$CARGO_TARGET_DIR/release/examples/expand"

TAG=${TAG:-}
tag_args=(); tag_option=""
if [ -n "$TAG" ]; then tag_args=(--tag "$TAG"); tag_option=", tags = [\"$TAG\"]"; fi
OPS=${OPS:-}
if [ -n "$OPS" ]; then
    IFS=, read -ra ops <<< "$OPS"
    quoted=$(printf '\"%s\", ' "${ops[@]}")
    tag_option="$tag_option, operations = [${quoted%, }]"
    for op in "${ops[@]}"; do tag_args+=(--operation "$op"); done
fi
SERDE=${SERDE:-}
if [ -n "$SERDE" ]; then tag_args+=(--serde "$SERDE"); tag_option="$tag_option, serde = \"$SERDE\""; fi

echo "| spec | expand s (cold / warm) | expand peak MB | generated lines | check s | check peak MB |"
echo "|---|---|---|---|---|---|"
for spec in "$@"; do
    spec=$(realpath "$spec")
    name=$(basename "$spec" | sed -E 's/\.(json|ya?ml)$//; s/[^A-Za-z0-9]+/_/g' | tr A-Z a-z)
    dir="$WORK/polvo_$name"; log="$WORK/$name"
    /usr/bin/time -v -o "$log.expand.time" "$EXPAND" "$spec" api "${tag_args[@]}" >/dev/null 2>"$log.expand.out"
    if [ $? -ne 0 ]; then
        echo "| $(basename "$spec") | failed: $(head -c 120 "$log.expand.out" | tr '\n|' ' /') | | | | |"
        continue
    fi
    lines=$("$EXPAND" "$spec" api --lines "${tag_args[@]}" 2>&1 >/dev/null | sed -nE 's/.* ([0-9]+) lines formatted.*/\1/p')
    rm -rf "$WORK/cache"
    "$EXPAND" "$spec" api "${tag_args[@]}" --cache "$WORK/cache" >/dev/null 2>&1
    /usr/bin/time -v -o "$log.warm.time" "$EXPAND" "$spec" api "${tag_args[@]}" --cache "$WORK/cache" >/dev/null 2>&1

    mkdir -p "$dir/src"
    printf '[package]\nname = "polvo_%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[dependencies]\npolvo = { path = "%s/polvo" }\n\n[workspace]\n' \
        "$name" "$ROOT" > "$dir/Cargo.toml"
    echo '' > "$dir/src/lib.rs"
    (cd "$dir" && cargo check -q >/dev/null 2>&1)   # builds the dependencies
    printf '#![deny(warnings)]\npolvo::service!("%s", name = "api"%s);\n' "$spec" "$tag_option" > "$dir/src/lib.rs"
    (cd "$dir" && CARGO_INCREMENTAL=0 POLVO_CACHE=off /usr/bin/time -v -o "$log.check.time" cargo check -q >"$log.check.out" 2>&1)
    rc=$?
    status=""
    [ $rc -eq 0 ] || status=" (failed: $(grep -m1 '^error' "$log.check.out" | head -c 100))"
    echo "| $(basename "$spec")${TAG:+ (tag $TAG)}${OPS:+ (${#ops[@]} operations)}${SERDE:+ (serde $SERDE)} | $(secs "$log.expand.time") / $(secs "$log.warm.time") | $(mb "$log.expand.time") | $lines | $(secs "$log.check.time")$status | $(mb "$log.check.time") |"
done
