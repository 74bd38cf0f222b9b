/** A unified diff (git's or an agent's edit) read into files, hunks and numbered lines. */

export type DiffLineKind = 'add' | 'del' | 'ctx' | 'hunk' | 'note';

export interface DiffLine {
  kind: DiffLineKind;
  /** The line without its `+`/`-`/` ` marker (the hunk header or note as is). */
  text: string;
  /** Line number in the old file (removed and context lines). */
  oldLine: number | null;
  /** Line number in the new file (added and context lines). */
  newLine: number | null;
}

export type DiffFileStatus = 'added' | 'deleted' | 'modified' | 'renamed' | 'binary';

export interface DiffFile {
  path: string;
  /** The path before a rename. */
  oldPath: string | null;
  status: DiffFileStatus;
  lines: DiffLine[];
  added: number;
  removed: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** `a/src/x.ts` → `src/x.ts`; git quotes unusual names (`"a/caf\303\251"`): the quotes are dropped. */
function stripPrefix(raw: string): string {
  let path = raw.trim();
  if (path.startsWith('"') && path.endsWith('"')) path = path.slice(1, -1);
  return path.replace(/^[ab]\//, '');
}

function newFile(path: string): DiffFile {
  return { path, oldPath: null, status: 'modified', lines: [], added: 0, removed: 0 };
}

interface Cursor {
  file: DiffFile | null;
  oldLine: number;
  newLine: number;
  /** Lines still expected in the current hunk (old side, new side). */
  oldLeft: number;
  newLeft: number;
}

function inHunk(c: Cursor): boolean {
  return c.oldLeft > 0 || c.newLeft > 0;
}

function hunkLine(c: Cursor, file: DiffFile, line: string): void {
  const marker = line[0];
  const text = line.slice(1);
  if (marker === '+') {
    file.lines.push({ kind: 'add', text, oldLine: null, newLine: c.newLine++ });
    file.added += 1;
    c.newLeft -= 1;
  } else if (marker === '-') {
    file.lines.push({ kind: 'del', text, oldLine: c.oldLine++, newLine: null });
    file.removed += 1;
    c.oldLeft -= 1;
  } else {
    file.lines.push({ kind: 'ctx', text, oldLine: c.oldLine++, newLine: c.newLine++ });
    c.oldLeft -= 1;
    c.newLeft -= 1;
  }
}

/** Header lines between `diff --git` and the first hunk. */
function headerLine(c: Cursor, files: DiffFile[], line: string): void {
  if (line.startsWith('diff --git ')) {
    const match = / b\/(.*)$/.exec(line) ?? / "b\/(.*)"$/.exec(line);
    c.file = newFile(match ? stripPrefix(`b/${match[1]}`) : line.slice(11));
    files.push(c.file);
    return;
  }
  if (line.startsWith('--- ')) {
    if (!c.file || c.file.lines.length > 0) {
      c.file = newFile(stripPrefix(line.slice(4)));
      files.push(c.file);
    }
    if (line.slice(4).trim() === '/dev/null') c.file.status = 'added';
    return;
  }
  if (!c.file) return;
  if (line.startsWith('+++ ')) {
    const target = line.slice(4).trim();
    if (target === '/dev/null') c.file.status = 'deleted';
    else c.file.path = stripPrefix(target);
  } else if (line.startsWith('new file mode')) c.file.status = 'added';
  else if (line.startsWith('deleted file mode')) c.file.status = 'deleted';
  else if (line.startsWith('rename from ')) {
    c.file.oldPath = line.slice(12);
    c.file.status = 'renamed';
  } else if (line.startsWith('rename to ')) c.file.path = line.slice(10);
  else if (line.startsWith('Binary files ')) {
    c.file.status = 'binary';
    c.file.lines.push({ kind: 'note', text: 'binary file changed', oldLine: null, newLine: null });
  }
}

export function parseUnifiedDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  const c: Cursor = { file: null, oldLine: 0, newLine: 0, oldLeft: 0, newLeft: 0 };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('diff --git ')) c.oldLeft = c.newLeft = 0;
    if (c.file && inHunk(c) && /^[+\- ]/.test(line)) {
      hunkLine(c, c.file, line);
      continue;
    }
    // An empty line inside a hunk is a context line whose leading space was lost.
    if (c.file && inHunk(c) && line === '') {
      hunkLine(c, c.file, ' ');
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      if (!c.file) {
        c.file = newFile('');
        files.push(c.file);
      }
      c.oldLine = Number(hunk[1]);
      c.newLine = Number(hunk[3]);
      c.oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      c.newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
      c.file.lines.push({ kind: 'hunk', text: line, oldLine: null, newLine: null });
      continue;
    }
    if (line.startsWith('\\')) {
      c.file?.lines.push({ kind: 'note', text: line.slice(1).trim(), oldLine: null, newLine: null });
      continue;
    }
    headerLine(c, files, line);
  }
  return files;
}

/** The lines of a one-file diff (an agent's edit), headers dropped. */
export function diffLines(text: string): DiffLine[] {
  return parseUnifiedDiff(text).flatMap((file) => file.lines);
}
