#!/usr/bin/env bash
# Builds the VS Code extension packages into editors/vscode/dist-vsix/:
#   nianbao-VERSION.vsix            universal: finds the server from the setting or PATH
#   nianbao-linux-x64-VERSION.vsix  bundles the release server binary (server/nianbao)
# Usage: editors/vscode/build.sh [path/to/nianbao]   (default: target/release/nianbao)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/release/nianbao}"
cd "$here"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
if [ ! -x node_modules/.bin/vsce ] || [ ! -x node_modules/.bin/esbuild ]; then
  npm ci --no-audit --no-fund 2>&1 | grep -v 'Unknown user config' || true
fi
version="$(node -p "require('./package.json').version")"
out="$here/dist-vsix"
mkdir -p "$out"
flags=(--no-dependencies --allow-missing-repository --no-rewrite-relative-links)
rm -rf server
npx vsce package "${flags[@]}" -o "$out/nianbao-$version.vsix" 2>&1 | grep -v 'Unknown user config'
if [ -x "$bin" ]; then
  mkdir -p server
  strip -o server/nianbao "$bin" 2>/dev/null || cp "$bin" server/nianbao
  chmod 755 server/nianbao
  npx vsce package "${flags[@]}" --target linux-x64 -o "$out/nianbao-linux-x64-$version.vsix" 2>&1 | grep -v 'Unknown user config'
  rm -rf server
else
  echo "build.sh: $bin not found: skipped the linux-x64 package (cargo build --release first)" >&2
fi
ls -l "$out"
