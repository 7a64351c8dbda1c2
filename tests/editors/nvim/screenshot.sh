#!/usr/bin/env bash
# Screenshot of Neovim 0.11 (xterm under Xvfb) showing nianbao's squiggles on the report.
# Usage: screenshot.sh WORKSPACE OUT.png   (env: NVIM, NB_PLUGIN; nianbao on PATH)
set -euo pipefail
ws="$1"; out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
disp=":$((90 + RANDOM % 100))"
Xvfb "$disp" -screen 0 1600x1000x24 -nolisten tcp > "$ws/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xterm_pid 2>/dev/null || true; kill $xvfb 2>/dev/null || true' EXIT
xterm_pid=
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done
ready="$ws/ready"
rm -f "$ready"
cd "$ws"
DISPLAY="$disp" LANG=C.UTF-8 XDG_CONFIG_HOME="$ws/xdg/config" XDG_DATA_HOME="$ws/xdg/data" XDG_STATE_HOME="$ws/xdg/state" \
  XDG_CACHE_HOME="$ws/xdg/cache" NB_READY="$ready" \
  xterm -u8 -geometry 150x40+0+0 -fa 'DejaVu Sans Mono' -fd 'Noto Sans Mono CJK SC' -fs 10.5 -bg '#1e1e2e' -fg '#e0e0e0' \
    -xrm 'XTerm*termName: xterm-direct' -e "$NVIM" -i NONE -u "$here/screenshot_init.lua" report.md &
xterm_pid=$!
for _ in $(seq 150); do [ -e "$ready" ] && break; sleep 0.1; done
[ -e "$ready" ] || { echo "Neovim never showed the NB301 diagnostic"; exit 1; }
sleep 1
win="$(DISPLAY="$disp" xwininfo -root -tree | awk '/"xterm"|"nvim"|XTerm/ { print $1; exit }')"
import -display "$disp" -window "${win:-root}" "$out"
echo "wrote $out"
