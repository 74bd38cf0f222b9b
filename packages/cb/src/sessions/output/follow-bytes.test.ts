import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../test-support.js';
import { followBytes } from './follow-bytes.js';

const root = mkdtempSync(join(tmpdir(), 'cb-follow-bytes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('followBytes', () => {
  it('should deliver new bytes at once, partial lines too, go on from 0 after a truncation, and wait for a missing file', async () => {
    const path = join(root, 'pane.log');
    writeFileSync(path, 'old output\n');
    let got = '';
    const follower = followBytes(path, { onData: (chunk) => void (got += chunk.toString('utf8')), pollMs: 10_000 });
    appendFileSync(path, 'prompt> ');
    await eventually(async () => got === 'prompt> ', 'a partial line, by fs.watch');
    appendFileSync(path, 'typed\n'.repeat(3));
    await follower.drain();
    expect(got).toBe(`prompt> ${'typed\n'.repeat(3)}`);
    truncateSync(path, 0);
    appendFileSync(path, 'after rotation\n');
    await eventually(async () => got.endsWith('after rotation\n'), 'bytes after a truncation');
    await follower.close();

    const later = join(root, 'later.log');
    let laterGot = '';
    const waiting = followBytes(later, { fromOffset: 0, onData: (chunk) => void (laterGot += chunk.toString('utf8')) });
    writeFileSync(later, 'first bytes');
    await eventually(async () => laterGot === 'first bytes', 'a file that appeared');
    await waiting.close();
  });
});
