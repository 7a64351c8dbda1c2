#!/usr/bin/env bash
# Runs every test of the project: the Rust suite (unit, fixtures, mutation, CLI,
# in-process LSP), then the end-to-end tests with real editor clients.
# Installs what it needs (apt, pip, npm) on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# poppler's pdftotext: the PDF reader extracts the text layer with it (tests/pdf.rs).
if ! command -v pdftotext >/dev/null 2>&1; then
  echo "== installing poppler-utils (pdftotext)"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils) \
      > /tmp/nianbao-apt-poppler.log 2>&1 || { echo "apt-get install poppler-utils failed"; tail -20 /tmp/nianbao-apt-poppler.log; }
  else
    echo "pdftotext not found and cannot install it here: install poppler-utils (the PDF tests need it)"
  fi
fi

echo "== cargo test (workspace)"
cargo build --release --locked 2>&1 | tail -1
cargo test --workspace --locked 2>&1 | tee /tmp/nianbao-cargo-test.log | grep -E '^(test result|running|error|failures|---- )' || true
if grep -qE '^test result: FAILED|^error' /tmp/nianbao-cargo-test.log; then
  echo "cargo test failed"; grep -A30 '^failures:' /tmp/nianbao-cargo-test.log | head -80; exit 1
fi

echo "== incremental analysis = fresh analysis (proptest, 3000 random edit sequences, release build)"
if ! PROPTEST_CASES=3000 cargo test --release --locked -p nianbao-core --test incremental > /tmp/nianbao-proptest.log 2>&1; then
  echo "incremental property test failed"; grep -A40 '^failures:' /tmp/nianbao-proptest.log | head -60; exit 1
fi
grep -E '^test result' /tmp/nianbao-proptest.log

status=0
for suite in tests/e2e/run.sh tests/editors/run.sh tests/audit/run.sh; do
  if [ -x "$suite" ] || [ -f "$suite" ]; then
    echo "== $suite"
    bash "$suite" || status=1
  fi
done
exit $status
