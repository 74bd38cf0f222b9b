/**
 * The sh scripts bootstrap runs on a host (POSIX sh; Linux and macOS). Everything lives under
 * `~/.flotilla`: `bootstrap/<version>/` (the tarballs, kept because the install's package.json
 * names them), `cb.new` (the install being made), `cb` (the verified one), `bin/cb` (the link).
 */
import { shQuote } from './remote-shell.js';

export interface RemotePaths {
  home: string;
  /** `~/.flotilla/bootstrap/<version>`. */
  bundle: string;
  /** The tarballs' file names inside `bundle`. */
  files: string[];
}

function header(paths: RemotePaths): string {
  return [`F=${shQuote(`${paths.home}/.flotilla`)}`, `B=${shQuote(paths.bundle)}`, ''].join('\n');
}

/**
 * Checks every tarball against the manifest's sha256, then `npm install --offline` of all of
 * them at once into `cb.new`: every dependency is one of the given tarballs, so npm never needs a
 * registry. npm's cache is a fresh one beside the tarballs (never the user's ~/.npm), removed after.
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
rm -rf "$F/cb.new" "$B/.npm-cache"
mkdir -p "$F/cb.new"
npm install --offline --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=error --cache "$B/.npm-cache" --prefix "$F/cb.new" ${tarballs}
rm -rf "$B/.npm-cache"
if [ ! -x "$F/cb.new/node_modules/.bin/cb" ]; then echo "npm finished but linked no cb bin in $F/cb.new/node_modules/.bin" >&2; exit 1; fi
`;
}

/** Prints the new cb's `--version`, then the status of a daemon it starts (and stops) under a throwaway FLOTILLA_HOME. */
export function verifyScript(paths: RemotePaths): string {
  return `${header(paths)}set -e
CB="$F/cb.new/node_modules/.bin/cb"
"$CB" --version
T=$(mktemp -d "\${TMPDIR:-/tmp}/flotilla-verify.XXXXXX")
trap 'FLOTILLA_HOME="$T" "$CB" daemon stop >/dev/null 2>&1; rm -rf "$T"' EXIT
FLOTILLA_HOME="$T" "$CB" daemon start --json
FLOTILLA_HOME="$T" "$CB" daemon stop --json >/dev/null
`;
}

/**
 * Swaps `cb.new` in as `cb` (the previous install is removed only after), points `bin/cb` at its
 * bin through an atomic rename, drops the tarballs of other versions and checks the link answers.
 */
export function linkScript(paths: RemotePaths & { version: string }): string {
  return `${header(paths)}set -e
rm -rf "$F/cb.old"
if [ -e "$F/cb" ]; then mv "$F/cb" "$F/cb.old"; fi
mv "$F/cb.new" "$F/cb"
rm -rf "$F/cb.old"
mkdir -p "$F/bin"
ln -s ../cb/node_modules/.bin/cb "$F/bin/.cb.$$"
mv -f "$F/bin/.cb.$$" "$F/bin/cb"
for old in "$F/bootstrap"/*; do
  if [ "$old" != "$B" ]; then rm -rf "$old"; fi
done
v=$("$F/bin/cb" --version)
if [ "$v" != ${shQuote(paths.version)} ]; then echo "$F/bin/cb says it is version $v, not ${paths.version.replace(/[^0-9A-Za-z.+-]/g, '')}" >&2; exit 1; fi
`;
}
