#!/usr/bin/env bash
# The audit page in headless Chromium (needs the Chromium and playwright-core that
# tests/editors/run.sh installs). Usage: tests/audit/run.sh [--screenshot]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${NIANBAO_EDITORS_CACHE:-/var/tmp/nianbao-editors}"
bin="${NIANBAO_BIN:-$root/target/release/nianbao}"
[ -x "$bin" ] || (cd "$root" && cargo build --release --locked -q)
work="$(mktemp -d)"
cd "$root"
reports=(tests/fixtures/seeds tests/fixtures/variants)
# Exit status 1 (errors found) is expected: the corpus holds broken reports on purpose.
"$bin" check --no-config --format html --output "$work/audit.html" "${reports[@]}" || [ $? -eq 1 ]
"$bin" check --no-config --format json "${reports[@]}" > "$work/audit.json" || [ $? -eq 1 ]
shot=""
[ "${1:-}" = "--screenshot" ] && shot="$root/docs/images/audit.png" && mkdir -p "$root/docs/images"
PLAYWRIGHT_CORE="$cache/code-server/node_modules/playwright-core" node "$root/tests/audit/audit.mjs" "$work/audit.html" "$work/audit.json" $shot
