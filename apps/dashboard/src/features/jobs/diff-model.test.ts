import { describe, expect, it } from 'vitest';
import { diffLines, parseUnifiedDiff } from './diff-model';

const GIT_DIFF = [
  'diff --git a/src/app.ts b/src/app.ts',
  'index 1111111..2222222 100644',
  '--- a/src/app.ts',
  '+++ b/src/app.ts',
  '@@ -1,3 +1,4 @@',
  ' one',
  '-two',
  '+TWO',
  '+three',
  ' four',
  '@@ -10 +11 @@ function x() {',
  '--- a dash line that was removed',
  '+++ a plus line that was added',
  'diff --git a/new.txt b/new.txt',
  'new file mode 100644',
  'index 0000000..3333333',
  '--- /dev/null',
  '+++ b/new.txt',
  '@@ -0,0 +1 @@',
  '+hello',
  '\\ No newline at end of file',
  'diff --git a/img.png b/img.png',
  'Binary files a/img.png and b/img.png differ',
  'diff --git a/old name.txt b/new name.txt',
  'similarity index 100%',
  'rename from old name.txt',
  'rename to new name.txt',
  '',
].join('\n');

describe('parseUnifiedDiff', () => {
  it('should read files, statuses and line numbers of a git diff', () => {
    const files = parseUnifiedDiff(GIT_DIFF);
    expect(files.map((f) => [f.path, f.status, f.added, f.removed, f.oldPath])).toEqual([
      ['src/app.ts', 'modified', 3, 2, null],
      ['new.txt', 'added', 1, 0, null],
      ['img.png', 'binary', 0, 0, null],
      ['new name.txt', 'renamed', 0, 0, 'old name.txt'],
    ]);
    const app = files[0]!.lines.map((l) => [l.kind, l.oldLine, l.newLine, l.text]);
    expect(app).toEqual([
      ['hunk', null, null, '@@ -1,3 +1,4 @@'],
      ['ctx', 1, 1, 'one'],
      ['del', 2, null, 'two'],
      ['add', null, 2, 'TWO'],
      ['add', null, 3, 'three'],
      ['ctx', 3, 4, 'four'],
      ['hunk', null, null, '@@ -10 +11 @@ function x() {'],
      ['del', 10, null, '-- a dash line that was removed'],
      ['add', null, 11, '++ a plus line that was added'],
    ]);
    expect(files[1]!.lines.map((l) => l.kind)).toEqual(['hunk', 'add', 'note']);
  });

  it('should read an agent edit without a git header', () => {
    const lines = diffLines('--- a/notes.txt\n+++ b/notes.txt\n@@ -1,3 +1,4 @@\n one\n-two\n+TWO\n+three\n four');
    expect(lines.filter((l) => l.kind !== 'hunk').map((l) => `${l.kind}:${l.text}`)).toEqual(['ctx:one', 'del:two', 'add:TWO', 'add:three', 'ctx:four']);
    expect(parseUnifiedDiff('--- /dev/null\n+++ b/src/new.txt\n@@ -0,0 +1,2 @@\n+alpha\n+beta')[0]).toMatchObject({ path: 'src/new.txt', status: 'added', added: 2 });
  });

  it('should return nothing for an empty diff', () => {
    expect(parseUnifiedDiff('')).toEqual([]);
    expect(diffLines('')).toEqual([]);
  });
});
