/**
 * Files a machine wrote for machines — lock files, source maps, minified bundles, files marked
 * generated — are kept out of the index with a note, as the issue asks of "generated" files: their
 * text is noise to an agent's search (a source map is one line of encoded mappings; a lock file
 * lists every version of every dependency) and it can outweigh the code (drizzle-orm ships a source
 * map beside each of its 896 `.js` and `.cjs` files). Literal search then covers the files
 * indexed; `rg` still finds text in the skipped ones.
 */

/** Dependency lock files, by file name. */
const LOCK_FILES: ReadonlySet<string> = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'deno.lock',
  'Cargo.lock',
  'Gemfile.lock',
  'composer.lock',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'go.sum',
  'flake.lock',
]);

/** A source map's start (`{"version":3,` as tsc, esbuild, rollup and webpack write it). */
const SOURCE_MAP_START = /^\s*\{\s*"version"\s*:\s*3\s*,/;
/** Scripts and styles whose lines can be judged by their length. */
const MINIFIABLE = /\.(?:js|mjs|cjs|css)$/;
/**
 * An average line longer than this marks a script or style sheet minified; files under
 * `MINIFIED_MIN_BYTES` are never judged so (a one-line re-export is not a bundle). GitHub
 * Linguist's 110 took readable bundles with a few long data lines for minified (vitest's
 * `chunk-automock.js`: 526 lines, two of them 14 and 32 KB; average 125). Of the 49 files over 110
 * in this workspace's `node_modules`, 500 keeps those two and three bundles of 375–469, and takes
 * the other 44 (xterm, playwright's assets, es-module-lexer…).
 */
const MINIFIED_LINE_CHARS = 500;
const MINIFIED_MIN_BYTES = 4096;
/** The header a generator leaves: the first lines of the file. */
const HEADER_LINES = 5;
const HEADER_CHARS = 1024;
/**
 * A header saying the file is generated and not to be edited (Go's `// Code generated … DO NOT
 * EDIT.`, protoc's, `@generated`): both, so a file that only mentions generation stays.
 */
const GENERATED_WORD = /\bgenerated\b/i;
const DO_NOT_EDIT = /\bdo not edit\b|@generated\b/i;

/**
 * Why a file is generated, or null when it is not (or not recognisably). `path` is repo-relative
 * with `/` separators; `text` is the file's text.
 *
 * @example
 * generatedReason('dist/index.js.map', '{"version":3,"sources":[…'); // 'source map'
 * generatedReason('src/index.ts', 'export const x = 1;\n');           // null
 */
export function generatedReason(path: string, text: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (LOCK_FILES.has(name)) return 'lock file';
  if (name.endsWith('.map') && SOURCE_MAP_START.test(text.slice(0, 64))) return 'source map';
  if (MINIFIABLE.test(name)) {
    if (/\.min\.[a-z]+$/.test(name)) return 'minified';
    const perLine = averageLineLength(text);
    if (text.length >= MINIFIED_MIN_BYTES && perLine > MINIFIED_LINE_CHARS) return `minified (${Math.round(perLine)} characters a line)`;
  }
  const lines = text.slice(0, HEADER_CHARS).split('\n', HEADER_LINES);
  const header = lines.join('\n');
  if (!GENERATED_WORD.test(header) || !DO_NOT_EDIT.test(header)) return null;
  const marker = lines.find((line) => GENERATED_WORD.test(line) || DO_NOT_EDIT.test(line))!;
  return `marked "${marker.trim().slice(0, 80)}"`;
}

/** Characters a line, newlines not counted (a final newline ends the last line, it does not start one). */
function averageLineLength(text: string): number {
  let newlines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) newlines++;
  const lines = Math.max(1, text.endsWith('\n') ? newlines : newlines + 1);
  return (text.length - newlines) / lines;
}
