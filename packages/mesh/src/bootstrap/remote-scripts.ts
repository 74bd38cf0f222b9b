/**
 * The sh scripts bootstrap runs on a host (POSIX sh; Linux and macOS). Everything lives under
 * `~/.flotilla`: `bootstrap/<version>/` (the tarballs, kept because the install's package.json
 * names them), `cb-installs/<id>/` (one directory per install, never changed once verified) and
 * `bin/cb`, a link into the current install — the one thing a swap changes, in one rename. An
 * interrupted bootstrap therefore leaves at most an unreferenced directory in `cb-installs`, which
 * the next one removes; a host has either its previous cb or the new one, never half of either.
 */
import { shQuote } from './remote-shell.js';

export interface RemotePaths {
  home: string;
  /** `~/.flotilla/bootstrap/<version>`. */
  bundle: string;
  /** The tarballs' file names inside `bundle`. */
  files: string[];
  /** The new install's directory name inside `~/.flotilla/cb-installs`. */
  install: string;
}

/** `bin/cb`'s link target for an install (relative, so a moved HOME keeps working). */
export function binTarget(install: string): string {
  return `../cb-installs/${install}/node_modules/.bin/cb`;
}

function header(paths: RemotePaths): string {
  return [`F=${shQuote(`${paths.home}/.flotilla`)}`, `B=${shQuote(paths.bundle)}`, `T="$F/cb-installs/"${shQuote(paths.install)}`, ''].join('\n');
}

/**
 * Checks every tarball against the manifest's sha256, then `npm install --offline` of all of
 * them at once into the new install's directory: every dependency is one of the given tarballs, so
 * npm never needs a registry. npm's cache is a fresh one beside the tarballs (never the user's
 * ~/.npm), removed after; so is a half-made install when npm fails.
 */
export function installScript(paths: RemotePaths): string {
  const tarballs = paths.files.map((file) => `"$B"/${shQuote(file)}`).join(' ');
  return `${header(paths)}set -e
cd "$B"
node -e '
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const manifest = JSON.parse(fs.readFileSync("manifest.json", "utf8"));
for (const pkg of manifest.packages) {
  const hash = createHash("sha256").update(fs.readFileSync(pkg.file)).digest("hex");
  if (hash !== pkg.sha256) { console.error(pkg.file + " arrived damaged (its sha256 differs from the manifest)"); process.exit(1); }
}'
rm -rf "$T" "$B/.npm-cache"
mkdir -p "$T"
trap 'rm -rf "$B/.npm-cache"; if [ ! -x "$T/node_modules/.bin/cb" ]; then rm -rf "$T"; fi' EXIT
npm install --offline --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=error --cache "$B/.npm-cache" --prefix "$T" ${tarballs}
if [ ! -x "$T/node_modules/.bin/cb" ]; then echo "npm finished but linked no cb bin in $T/node_modules/.bin" >&2; exit 1; fi
`;
}

/** Prints the new cb's `--version`, then the status of a daemon it starts (and stops) under a throwaway FLOTILLA_HOME. */
export function verifyScript(paths: RemotePaths): string {
  return `${header(paths)}set -e
CB="$T/node_modules/.bin/cb"
"$CB" --version
D=$(mktemp -d "\${TMPDIR:-/tmp}/flotilla-verify.XXXXXX")
trap 'FLOTILLA_HOME="$D" "$CB" daemon stop >/dev/null 2>&1; rm -rf "$D"' EXIT
FLOTILLA_HOME="$D" "$CB" daemon start --json
FLOTILLA_HOME="$D" "$CB" daemon stop --json >/dev/null
`;
}

/**
 * Points `bin/cb` at the new install through one atomic rename and checks the link answers with
 * the new version. Prints `previous=<old link target>` first (empty when there was none).
 */
export function swapScript(paths: RemotePaths & { version: string }): string {
  return `${header(paths)}set -e
mkdir -p "$F/bin"
printf 'previous=%s\\n' "$(readlink "$F/bin/cb" 2>/dev/null || true)"
ln -s ${shQuote(binTarget(paths.install))} "$F/bin/.cb.$$"
mv -f "$F/bin/.cb.$$" "$F/bin/cb"
v=$("$F/bin/cb" --version)
if [ "$v" != ${shQuote(paths.version)} ]; then echo "$F/bin/cb says it is version $v, not ${paths.version.replace(/[^0-9A-Za-z.+-]/g, '')}" >&2; exit 1; fi
`;
}

/** Points `bin/cb` back at `target` (a previous `readlink` of it), in one rename. */
export function pointBinScript(home: string, target: string): string {
  return `F=${shQuote(`${home}/.flotilla`)}
set -e
ln -s ${shQuote(target)} "$F/bin/.cb.$$"
mv -f "$F/bin/.cb.$$" "$F/bin/cb"
`;
}

/**
 * After a swap (and the daemon's restart): removes the tarballs of other versions, and every
 * install but the current one and the one before it — jobs and sessions started under the
 * previous cb may still call its `cb` and its hooks — and any a process still runs from. Also
 * the layout of earlier bootstraps (`cb`, `cb.new`, `cb.old`) under the same rules. Prints
 * `kept <dir> (<why>)` for each install it leaves besides the current one.
 */
export function cleanupScript(paths: RemotePaths & { previous: string | null }): string {
  const previous = paths.previous === null ? '' : paths.previous.replace(/\/node_modules\/\.bin\/cb$/, '').replace(/^\.\.\//, '');
  return `${header(paths)}P=${shQuote(previous)}
for old in "$F/bootstrap"/*; do
  if [ -d "$old" ] && [ "$old" != "$B" ]; then rm -rf "$old"; fi
done
running=$(ps -A -o args= 2>/dev/null || true)
for dir in "$F/cb-installs"/* "$F/cb" "$F/cb.new" "$F/cb.old"; do
  [ -d "$dir" ] || continue
  [ "$dir" = "$T" ] && continue
  if [ -n "$P" ] && [ "$dir" = "$F/$P" ]; then echo "kept $dir (the previous install)"; continue; fi
  case "$running" in
    *"$dir/"*) echo "kept $dir (a process still runs from it)"; continue ;;
  esac
  rm -rf "$dir"
done
`;
}
