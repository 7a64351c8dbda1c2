#!/bin/sh
# Fuzz every target for SECONDS each (default 60): fuzz/run.sh 300
# Needs the nightly toolchain and `cargo install cargo-fuzz --locked`.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
for t in analyze fix_all rope_edits lsp_framing; do
    mkdir -p "fuzz/corpus/$t"
    echo "== $t ($secs s)"
    # lsp_framing drives the language server; the other targets build against the core alone.
    features=""; [ "$t" = lsp_framing ] && features="--features lsp"
    cargo +nightly fuzz run $features "$t" "fuzz/corpus/$t" -- -max_total_time="$secs" -print_final_stats=1
done
