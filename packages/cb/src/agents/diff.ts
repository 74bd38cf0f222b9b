/**
 * Unified diffs for transcript `edit` entries, built from what the agent reports
 * (Claude's `structuredPatch`, or the tool input when there is none).
 */

/** One hunk as Claude reports it in `tool_use_result.structuredPatch`; `lines` carry their ` `/`-`/`+` prefix. */
export interface PatchHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: readonly string[];
}

/** How many unchanged lines around a change are kept as context. */
const CONTEXT_LINES = 3;

function contentLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function header(oldPath: string, newPath: string): string[] {
  return [`--- ${oldPath}`, `+++ ${newPath}`];
}

/** A created file: every line added. */
export function createdFileDiff(path: string, content: string): string {
  const lines = contentLines(content);
  if (lines.length === 0) return [...header('/dev/null', `b/${path}`)].join('\n');
  return [...header('/dev/null', `b/${path}`), `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`)].join(
    '\n',
  );
}

/** A diff from Claude's structured patch hunks. */
export function hunksDiff(path: string, hunks: readonly PatchHunk[]): string {
  const out = header(`a/${path}`, `b/${path}`);
  for (const hunk of hunks) {
    out.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines);
  }
  return out.join('\n');
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function commonSuffix(a: readonly string[], b: readonly string[], prefix: number): number {
  let n = 0;
  while (n < a.length - prefix && n < b.length - prefix && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/**
 * One hunk replacing `oldText` with `newText` (an Edit's old_string/new_string). Line numbers are
 * relative to the snippet, since the agent does not say where in the file it sits.
 */
export function replacementHunk(oldText: string, newText: string): PatchHunk {
  const oldLines = contentLines(oldText);
  const newLines = contentLines(newText);
  const prefix = commonPrefix(oldLines, newLines);
  const suffix = commonSuffix(oldLines, newLines, prefix);
  const before = oldLines.slice(Math.max(0, prefix - CONTEXT_LINES), prefix);
  const after = oldLines.slice(oldLines.length - suffix, oldLines.length - suffix + CONTEXT_LINES);
  const removed = oldLines.slice(prefix, oldLines.length - suffix);
  const added = newLines.slice(prefix, newLines.length - suffix);
  const start = prefix - before.length + 1;
  return {
    oldStart: start,
    oldLines: before.length + removed.length + after.length,
    newStart: start,
    newLines: before.length + added.length + after.length,
    lines: [
      ...before.map((l) => ` ${l}`),
      ...removed.map((l) => `-${l}`),
      ...added.map((l) => `+${l}`),
      ...after.map((l) => ` ${l}`),
    ],
  };
}

/** A diff for one or more old→new replacements in the same file (Edit, MultiEdit). */
export function replacementsDiff(path: string, edits: ReadonlyArray<{ oldText: string; newText: string }>): string {
  return hunksDiff(
    path,
    edits.map((e) => replacementHunk(e.oldText, e.newText)),
  );
}
