#!/bin/sh
# Replay every target's corpus once (-runs=0): a quick smoke for CI.
set -eu
cd "$(dirname "$0")/.."
for t in analyze fix_all rope_edits lsp_framing; do
    mkdir -p "fuzz/corpus/$t"
    cargo +nightly fuzz run "$t" "fuzz/corpus/$t" -- -runs=0
done
