import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';
import { writerLockPath } from './writer.js';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));
/** Two node processes, each indexing or polling, on a loaded 2-core CI machine: be generous. */
const DEADLINE_MS = 15_000;

interface Served {
  client: Client;
  pid: number;
  /** What the process wrote to stderr so far. */
  log: () => string;
}

async function serve(fixture: TempRepo): Promise<Served> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'serve', '--repo', fixture.root, '--db', fixture.dbPath],
    env: { ...(process.env as Record<string, string>), FLOTILLA_HOME: join(fixture.dir, 'home') },
    stderr: 'pipe',
  });
  let log = '';
  transport.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const client = new Client({ name: 'codekb-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, pid: transport.pid ?? -1, log: () => log };
}

/** Polls `check` until it resolves true; throws after `withinMs`. */
async function eventually(withinMs: number, check: () => Promise<boolean> | boolean, everyMs = 20): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

async function defines(served: Served, name: string): Promise<boolean> {
  const result = (await served.client.callTool({ name: 'definition', arguments: { name } })) as CallToolResult;
  return result.isError !== true && ((result.structuredContent as { hits?: unknown[] } | undefined)?.hits?.length ?? 0) > 0;
}

function writerPid(fixture: TempRepo): number | undefined {
  try {
    return (JSON.parse(readFileSync(writerLockPath(fixture.dbPath), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

describe('codekb serve processes sharing one index', () => {
  let fixture: TempRepo;
  let servers: Served[] = [];
  beforeAll(async () => {
    fixture = tempFixtureRepo();
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    // Outdate the index before the servers start: the writer's first run must catch up.
    appendFileSync(join(fixture.root, 'src', 'widget.tsx'), '\nexport function editedWhileNoServerRan() {}\n');
    servers = await Promise.all([serve(fixture), serve(fixture)]);
  });
  afterAll(async () => {
    await Promise.all(servers.map(({ client }) => client.close().catch(() => undefined)));
    fixture?.[Symbol.dispose]();
  });

  it('should elect exactly one writer, which brings the index up to date for both', async () => {
    await eventually(DEADLINE_MS, () => servers.some(({ pid }) => pid === writerPid(fixture)));
    for (const served of servers) await eventually(DEADLINE_MS, () => defines(served, 'editedWhileNoServerRan'));
    const writers = servers.filter((served) => served.log().includes('codekb: writing the index'));
    const readers = servers.filter((served) => served.log().includes('codekb: reading the index'));
    expect(writers.map(({ pid }) => pid)).toEqual([writerPid(fixture)]);
    expect(readers).toHaveLength(1);
  });

  it('should let the reader see an edit the writer indexed', async () => {
    const writer = servers.find(({ pid }) => pid === writerPid(fixture));
    const reader = servers.find((served) => served !== writer);
    expect(writer).toBeDefined();
    expect(await defines(reader!, 'seenByTheReader')).toBe(false);
    appendFileSync(join(fixture.root, 'src', 'shapes.ts'), '\nexport function seenByTheReader(): number {\n  return 3;\n}\n');
    await eventually(DEADLINE_MS, () => defines(reader!, 'seenByTheReader'));
    expect(await defines(writer!, 'seenByTheReader')).toBe(true);
  });

  it('should make 20 edits queryable through the reader, and report the latency', async () => {
    const reader = servers.find(({ pid }) => pid !== writerPid(fixture))!;
    const latencies: number[] = [];
    for (let n = 0; n < 20; n++) {
      const started = performance.now();
      appendFileSync(join(fixture.root, 'py', 'app.py'), `\n\ndef reader_edit_${n}():\n    return ${n}\n`);
      await eventually(DEADLINE_MS, () => defines(reader, `reader_edit_${n}`), 2);
      latencies.push(performance.now() - started);
    }
    const sorted = latencies.sort((a, b) => a - b);
    const at = (p: number): string => (sorted[Math.ceil((p / 100) * sorted.length) - 1] ?? NaN).toFixed(1);
    console.info(`edit → queryable in another serve process (MCP definition over stdio): p50 ${at(50)} ms, p99 ${at(99)} ms over ${sorted.length} edits`);
  });

  it('should hand the writer role to the reader when the writer dies', async () => {
    const writer = servers.find(({ pid }) => pid === writerPid(fixture))!;
    const reader = servers.find((served) => served !== writer)!;
    process.kill(writer.pid, 'SIGKILL');
    await eventually(DEADLINE_MS, () => writerPid(fixture) === reader.pid);
    appendFileSync(join(fixture.root, 'src', 'util.js'), '\nexport function afterTakeover() {\n  return 4;\n}\n');
    await eventually(DEADLINE_MS, () => defines(reader, 'afterTakeover'));
  });
});
