#!/usr/bin/env bash
# One-command set-up: installs what a newcomer lacks (tmux, pnpm, the Claude Code CLI when no agent
# CLI is present), builds the workspace, puts `cb`, `codekb`, `mesh`, `cb-telegram` and `flotilla-director` on the PATH and checks the result with `cb doctor`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export npm_config_nodedir=${npm_config_nodedir:-/usr} TURBO_TELEMETRY_DISABLED=1

say() { printf '\033[1m%s\033[0m\n' "$*"; }
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then echo "cb needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; fi

if ! command -v tmux >/dev/null; then
  say "installing tmux"
  if command -v apt-get >/dev/null; then sudo_if_needed apt-get update -qq && sudo_if_needed apt-get install -y -qq tmux git
  elif command -v brew >/dev/null; then brew install tmux
  else echo "please install tmux with your system's package manager" >&2; exit 1; fi
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then say "installing pnpm 12.4.2"; npm install -g pnpm@12.4.2 >/dev/null 2>&1; fi

say "installing dependencies (compiles better-sqlite3 once, ~1-2 min)"
pnpm install --frozen-lockfile --reporter=silent
say "building"
pnpm turbo run build --output-logs=errors-only

bin_dir=/usr/local/bin
[ -w "$bin_dir" ] || { bin_dir="$HOME/.local/bin"; mkdir -p "$bin_dir"; }
ln -sf "$root/packages/cb/bin/cb.cjs" "$bin_dir/cb"
chmod +x "$root/packages/cb/bin/cb.cjs"
ln -sf "$root/packages/codekb/bin/codekb.js" "$bin_dir/codekb"
chmod +x "$root/packages/codekb/bin/codekb.js"
ln -sf "$root/packages/mesh/bin/mesh.cjs" "$bin_dir/mesh"
chmod +x "$root/packages/mesh/bin/mesh.cjs"
ln -sf "$root/packages/telegram/bin/cb-telegram.cjs" "$bin_dir/cb-telegram"
chmod +x "$root/packages/telegram/bin/cb-telegram.cjs"
ln -sf "$root/packages/director/dist/cli/bin.js" "$bin_dir/flotilla-director"
chmod +x "$root/packages/director/dist/cli/bin.js"
case ":$PATH:" in *":$bin_dir:"*) ;; *) say "add $bin_dir to your PATH: export PATH=\"$bin_dir:\$PATH\"";; esac

if ! command -v claude >/dev/null && ! command -v codex >/dev/null; then
  say "no agent CLI found: installing Claude Code from npm"
  npm install -g @anthropic-ai/claude-code@2.1.197 >/dev/null 2>&1 || echo "could not install Claude Code; run: npm install -g @anthropic-ai/claude-code" >&2
fi

say "checking with cb doctor"
"$bin_dir/cb" doctor || true
say "ready: try  cb \"explain this repository\"  inside a git checkout"
