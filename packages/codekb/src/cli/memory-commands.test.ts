/**
 * `codekb memory consolidate` through the real bin: a dry run writes nothing, a run merges and
 * supersedes, a second one changes nothing, `memory ls --all` shows the superseded learnings, and an
 * export imported into another memory keeps them (recall there answers without them).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));

interface Listed {
  id: string;
  text: string;
  supersededBy: string | null;
  supersededReason: string | null;
  timesLearned: number;
  replaces?: string[];
}

describe('codekb memory consolidate', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = async (args: string[]): Promise<string> => (await promisify(execFile)(process.execPath, [BIN, ...args], { env })).stdout;
  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await run([...args, '--json'])) as T;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codekb-memory-cli-'));
    env = { ...process.env, FLOTILLA_HOME: join(dir, 'home') };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should report, merge, supersede, list and carry superseded learnings through export and import', { timeout: 480_000 }, async () => {
    for (const [text, outcome] of [
      ['Run pnpm build before the tests: the packages import each other from dist.', 'note'],
      ['The tests import the other packages from dist, so run pnpm build before running them.', 'note'],
      ['vitest works with --pool=threads in the api package', 'success'],
      ['vitest fails with --pool=threads in the api package', 'failure'],
    ] as const) {
      await run(['remember', text, '--global', '--outcome', outcome]);
    }
    const dry = await json<{ dryRun: boolean; merged: unknown[]; superseded: unknown[]; changed: number }>(['memory', 'consolidate', '--dry-run']);
    expect(dry).toMatchObject({ dryRun: true, changed: 0 });
    expect([dry.merged.length, dry.superseded.length]).toEqual([1, 1]);
    expect(await json<Listed[]>(['memory', 'ls'])).toHaveLength(4);

    const text = await run(['memory', 'consolidate']);
    expect(text).toMatch(/^consolidated 4 current learnings: 1 merged, 1 superseded by newer ones, 0 contested pairs, \d+ rows written\nmerged into /);
    expect(text).toContain('superseded ');
    expect(text).toContain('    by ');
    expect(await run(['memory', 'consolidate'])).toBe('consolidated 2 current learnings: 0 merged, 0 superseded by newer ones, 0 contested pairs, 0 rows written\n');

    const current = await json<Listed[]>(['memory', 'ls']);
    const all = await json<Listed[]>(['memory', 'ls', '--all']);
    expect(current.map((l) => l.text).sort()).toEqual(['The tests import the other packages from dist, so run pnpm build before running them.', 'vitest fails with --pool=threads in the api package']);
    expect(all).toHaveLength(4);
    const kept = current.find((l) => l.text.startsWith('The tests'))!;
    expect(kept).toMatchObject({ timesLearned: 2, replaces: [all.find((l) => l.supersededReason === 'duplicate')!.id] });
    expect(await run(['memory', 'ls', '--all'])).toMatch(/superseded by \w+ \(contradicted\)/);

    const exported = await run(['memory', 'export']);
    writeFileSync(join(dir, 'export.jsonl'), exported);
    const otherDb = join(dir, 'other.db');
    expect(await json<unknown>(['memory', 'import', join(dir, 'export.jsonl'), '--db', otherDb])).toEqual({ added: 4, merged: 0, unchanged: 0 });
    expect(await json<Listed[]>(['memory', 'ls', '--all', '--db', otherDb])).toEqual(all);
    const recalled = await json<Listed[]>(['recall', 'vitest', 'threads', 'pnpm', 'build', '--all', '--db', otherDb]);
    expect(recalled.map((l) => l.id).sort()).toEqual(current.map((l) => l.id).sort());
  });
});
