import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempFixtureRepo } from '../test-support/fixture.js';
import { parseInThread, parseInWorkers, ParseWorkers, type ParseJob, type ParsePoolStats } from './parse-pool.js';
import type { FileRecord } from '../store/writer.js';
import type { ReadOutcome } from './read-record.js';
import { listFiles } from './walk.js';

async function collect(outcomes: AsyncIterable<ReadOutcome>): Promise<ReadOutcome[]> {
  const all: ReadOutcome[] = [];
  for await (const outcome of outcomes) all.push(outcome);
  return all;
}

async function fixtureJobs(root: string, copies: number): Promise<ParseJob[]> {
  for (let n = 0; n < copies; n++) cpSync(join(root, 'src'), join(root, 'gen', String(n)), { recursive: true });
  return (await listFiles(root)).map((path) => ({ path, previousSha1: undefined }));
}

describe('parseInWorkers', () => {
  it('should yield what parsing on one thread yields, in job order, across recycled workers', async () => {
    using repo = tempFixtureRepo();
    const jobs = await fixtureJobs(repo.root, 8);
    const stats: ParsePoolStats = { started: 0, recycled: 0, crashed: 0 };
    const pooled = await collect(parseInWorkers(jobs, { root: repo.root, workers: 2, recycleAfterFiles: 5 }, stats));
    expect(pooled).toEqual(await collect(parseInThread(jobs, repo.root)));
    expect(stats.recycled).toBeGreaterThanOrEqual(Math.floor(jobs.length / 5) - 1);
    expect(stats.crashed).toBe(0);
  });

  it('should try a file that killed a worker once more alone, then yield an error record for it', async () => {
    using repo = tempFixtureRepo();
    const jobs = await fixtureJobs(repo.root, 4);
    const stats: ParsePoolStats = { started: 0, recycled: 0, crashed: 0 };
    const pooled = await collect(parseInWorkers(jobs, { root: repo.root, workers: 2, exitOnPath: 'gen/1/shapes.ts' }, stats));
    const sequential = await collect(parseInThread(jobs, repo.root));
    const at = jobs.findIndex((job) => job.path === 'gen/1/shapes.ts');
    expect(pooled[at]).toMatchObject({ path: 'gen/1/shapes.ts', status: 'error', note: 'the parse worker died on this file (exit code 70)', extraction: null });
    expect(pooled.filter((_, i) => i !== at)).toEqual(sequential.filter((_, i) => i !== at));
    expect(stats.crashed).toBe(2);
  });

  it('should answer unchanged for files whose hash is the one given', async () => {
    using repo = tempFixtureRepo();
    const jobs = await fixtureJobs(repo.root, 0);
    const first = await collect(parseInWorkers(jobs, { root: repo.root, workers: 1 }));
    const hashed = jobs.map((job, i) => ({ ...job, previousSha1: (first[i] as { sha1?: string } | undefined)?.sha1 }));
    const again = await collect(parseInWorkers(hashed, { root: repo.root, workers: 1 }));
    expect(again.filter((outcome) => outcome !== 'unchanged')).toEqual([]);
  });

  it('should parse a file equal to the one before it once and give both the same symbols, in a worker as on one thread', async () => {
    using repo = tempFixtureRepo();
    const shapes = readFileSync(join(repo.root, 'src/shapes.ts'), 'utf8');
    // A dual-published package's declaration twins, and a same-named file with other bytes.
    writeFileSync(join(repo.root, 'src/shapes.d.cts'), shapes);
    writeFileSync(join(repo.root, 'src/shapes.d.ts'), shapes);
    writeFileSync(join(repo.root, 'src/shapes.d.mts'), `${shapes}\nexport const extra = 1;\n`);
    const jobs = await fixtureJobs(repo.root, 0);
    const byPath = (outcomes: ReadOutcome[]) => new Map(outcomes.map((outcome) => [(outcome as FileRecord).path, outcome as FileRecord]));
    const inThread = byPath(await collect(parseInThread(jobs, repo.root)));
    const twin = inThread.get('src/shapes.d.ts')!;
    expect(twin.extraction).toBe(inThread.get('src/shapes.d.cts')!.extraction);
    expect(twin.extraction).not.toBe(inThread.get('src/shapes.d.mts')!.extraction);
    expect(twin.extraction!.symbols.map((symbol) => symbol.name)).toContain('Circle');
    expect(inThread.get('src/shapes.d.mts')!.extraction!.symbols.map((symbol) => symbol.name)).toContain('extra');
    const pooled = byPath(await collect(parseInWorkers(jobs, { root: repo.root, workers: 2 })));
    expect(pooled).toEqual(inThread);
  });

  it('should start its workers before their jobs are given, and stop them when disposed whether or not they got any', async () => {
    using repo = tempFixtureRepo();
    const jobs = await fixtureJobs(repo.root, 1);
    const stats: ParsePoolStats = { started: 0, recycled: 0, crashed: 0 };
    // A worker thread is an OS thread of this process until it has stopped.
    const threads = () => readdirSync('/proc/self/task').length;
    const before = threads();
    {
      await using _unused = new ParseWorkers({ root: repo.root, workers: 2 }, stats);
      expect(stats.started).toBe(2);
      expect(threads()).toBe(before + 2);
    }
    expect(threads()).toBe(before);
    {
      await using early = new ParseWorkers({ root: repo.root, workers: 2 }, stats);
      await sleep(200); // started, and idle until the jobs come
      expect(await collect(early.outcomes(jobs))).toEqual(await collect(parseInThread(jobs, repo.root)));
      await expect(early.outcomes(jobs).next()).rejects.toThrow('runs once');
    }
    expect(threads()).toBe(before);
    expect(stats).toEqual({ started: 4, recycled: 0, crashed: 0 });
  });
});
