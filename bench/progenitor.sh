#!/usr/bin/env bash
# Benchmark progenitor (cargo-progenitor 0.15.1) on OpenAPI specs, for comparison with polvo.
#
# Usage: bench/progenitor.sh SPEC...
# For each spec: generate a crate with cargo-progenitor, then `cargo check` it twice
# (the first builds the dependencies; the second, after `touch src/lib.rs`, is the one
# measured). Prints one Markdown table row per spec.
#
# Environment (all optional):
#   PROGENITOR        cargo-progenitor binary   (default /tmp/progenitor-bin/bin/cargo-progenitor)
#   WORK              where crates/logs go      (default /tmp/bench/progenitor-run; keep it outside
#                                                any Cargo workspace, e.g. not under the polvo repo)
#   CARGO_TARGET_DIR  shared target dir         (default /tmp/progenitor-target)
#   GEN_TIMEOUT       seconds per generation    (default 120)
# Needs GNU time at /usr/bin/time (Debian package `time`).
set -u

PROGENITOR=${PROGENITOR:-/tmp/progenitor-bin/bin/cargo-progenitor}
WORK=${WORK:-/tmp/bench/progenitor-run}
GEN_TIMEOUT=${GEN_TIMEOUT:-120}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/progenitor-target}
export RUST_BACKTRACE=0

if [ ! -x "$PROGENITOR" ]; then
    echo "cargo-progenitor not found at $PROGENITOR; install it with:" >&2
    echo "  nice -n 10 cargo install cargo-progenitor --version 0.15.1 --locked --root /tmp/progenitor-bin" >&2
    exit 1
fi
[ $# -gt 0 ] || { echo "usage: $0 SPEC..." >&2; exit 2; }
mkdir -p "$WORK"

# secs LOG / mb LOG: wall time in seconds and peak RSS in MB from a `/usr/bin/time -v` log.
secs() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0
         for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$1"; }
mb()   { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
# One-line reason, safe inside a Markdown table cell.
clean() { head -c 160 | tr '\n|' ' /' | sed 's/ *$//'; }

echo "| spec | generate | gen time s | gen peak MB | check time s | check peak MB |"
echo "|---|---|---|---|---|---|"
for spec in "$@"; do
    # Crate name from the file name; distinct names keep cargo's fingerprints apart.
    name=$(basename "$spec" | sed -E 's/\.(json|ya?ml)$//; s/[^A-Za-z0-9]+/-/g' | tr A-Z a-z)
    name="p-$name"
    dir="$WORK/$name"; log="$WORK/$name"
    rm -rf "$dir"

    /usr/bin/time -v -o "$log.gen.time" timeout "$GEN_TIMEOUT" nice -n 10 \
        "$PROGENITOR" progenitor -i "$spec" -o "$dir" -n "$name" -v 0.1.0 >"$log.gen.out" 2>&1
    rc=$?
    gen_t=$(secs "$log.gen.time"); gen_m=$(mb "$log.gen.time")
    if [ $rc -eq 0 ] && [ -f "$dir/src/lib.rs" ]; then
        gen=ok
    elif [ $rc -eq 124 ]; then
        gen="failed (timeout after ${GEN_TIMEOUT}s)"
    elif grep -q "panicked at" "$log.gen.out"; then
        gen="failed (panic: $(grep -A1 -m1 'panicked at' "$log.gen.out" | tail -1 | clean))"
    else
        gen="failed ($(grep -m1 -E 'gen fail|^Error' "$log.gen.out" | clean))"
    fi

    chk_t=-; chk_m=-
    if [ "$gen" = ok ]; then
        (cd "$dir" && nice -n 10 cargo check >"$log.check1.out" 2>&1)   # builds the dependencies
        touch "$dir/src/lib.rs"
        (cd "$dir" && CARGO_INCREMENTAL=0 /usr/bin/time -v -o "$log.check.time" nice -n 10 cargo check >"$log.check.out" 2>&1)
        crc=$?
        chk_t=$(secs "$log.check.time"); chk_m=$(mb "$log.check.time")
        if [ $crc -ne 0 ]; then
            chk_t="$chk_t (check failed: $(grep -m1 '^error' "$log.check.out" | clean))"
        fi
    fi
    echo "| $(basename "$spec") | $gen | $gen_t | $gen_m | $chk_t | $chk_m |"
done
