import { openSync, closeSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createTestDir } from '../test-helpers/test-dir.js';
import { appendLine, isKitError, writeFileAtomic } from './index.js';

describe('writeFileAtomic', () => {
  it('should replace a file and leave no temp files behind', async () => {
    using dir = createTestDir('kit-atomic-');
    const path = dir.join('config.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, '{"new":true}');
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}');
    expect(readdirSync(dir.path)).toEqual(['config.json']);
  });

  it('should apply the mode exactly, whatever the umask', async () => {
    using dir = createTestDir('kit-atomic-');
    const path = dir.join('token');
    await writeFileAtomic(path, 'secret', { mode: 0o600 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await writeFileAtomic(path, Buffer.from('bytes'), { mode: 0o644, fsync: false });
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readFileSync(path, 'utf8')).toBe('bytes');
  });

  it('should keep readers on the old or the new content, never a mix', async () => {
    using dir = createTestDir('kit-atomic-');
    const path = dir.join('state');
    const a = 'a'.repeat(256 * 1024);
    const b = 'b'.repeat(256 * 1024);
    await writeFileAtomic(path, a);
    const writes = Array.from({ length: 10 }, (_, i) => writeFileAtomic(path, i % 2 ? a : b));
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      const content = readFileSync(path, 'utf8');
      expect(content === a || content === b).toBe(true);
    }
    await Promise.all(writes);
    expect(readdirSync(dir.path)).toEqual(['state']);
  });

  it('should fail cleanly when the directory does not exist', async () => {
    using dir = createTestDir('kit-atomic-');
    await expect(writeFileAtomic(dir.join('missing', 'x'), 'data')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('appendLine', () => {
  it('should append newline-terminated lines to a path, an fd and a FileHandle', async () => {
    using dir = createTestDir('kit-append-');
    const path = dir.join('events.jsonl');
    await appendLine(path, 'one');
    const fd = openSync(path, 'a');
    await appendLine(fd, 'two', { fsync: true });
    closeSync(fd);
    const handle = await open(path, 'a');
    await appendLine(handle, 'three');
    await handle.close();
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('should refuse a line containing a newline', async () => {
    using dir = createTestDir('kit-append-');
    await expect(appendLine(dir.join('x'), 'a\nb')).rejects.toSatisfy((error) => isKitError(error, 'FS_INVALID_LINE'));
  });

  it('should never interleave concurrent appends inside a line', async () => {
    using dir = createTestDir('kit-append-');
    const path = dir.join('concurrent.jsonl');
    const lines = Array.from({ length: 200 }, (_, i) => `${i}:${'z'.repeat(1000)}`);
    await Promise.all(lines.map((line) => appendLine(path, line)));
    const written = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(written.sort()).toEqual([...lines].sort());
  });
});
