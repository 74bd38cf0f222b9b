/**
 * `flotilla-director start --metrics-port` as a user runs it — the CLI as a child process over a real
 * cb daemon whose scripted agent edits the worktree — scraped over HTTP while it runs; then, after it
 * stopped, `flotilla-director metrics` prints the same counters from the ledger. The cycle also records
 * its learning in the real codekb memory (found beside the director, FLOTILLA_HOME of the world).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecalledLearningSchema } from '../learnings/codekb-learnings.js';
import { startCbWorld, worldConfig, type CbWorld } from '../test-support/cb-world.js';
import { parseExposition, type ParsedExposition } from '../test-support/parse-exposition.js';

let world: CbWorld;
beforeAll(async () => {
  world = await startCbWorld();
}, 120_000);
afterAll(async () => {
  await world?.[Symbol.asyncDispose]();
});

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${world.daemonLog().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const counters = (parsed: ParsedExposition) => parsed.samples.filter((s) => s.name.endsWith('_total')).map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`);

describe('flotilla-director start --metrics-port and metrics', () => {
  it('should serve /metrics on 127.0.0.1 while it runs and print the same counters from the ledger after it stopped', { timeout: 240_000 }, async () => {
    world.github.addIssue('acme/tickets', { title: '[api] add a greeting', body: 'say hello' });
    const config = await world.writeConfig(worldConfig(world), 'metrics.yaml');
    const child = world.spawnDirector(['start', '--metrics-port', '0', '--every', '3600', '--config', config]);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      const url = await waitFor('the metrics address', async () => /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stdout)?.[1]);
      const scraped = await waitFor('the batch in /metrics', async () => {
        const res = await fetch(url);
        const parsed = parseExposition(await res.text());
        return parsed.samples.some((s) => s.name === 'flotilla_director_batches_closed_total' && s.labels.outcome === 'branch') ? { parsed, res } : null;
      });
      expect(scraped.res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const { parsed } = scraped;
      expect(parsed.type.get('flotilla_director_job_duration_seconds')).toBe('histogram');
      expect(parsed.samples).toEqual(
        expect.arrayContaining([
          { name: 'flotilla_director_attempts_total', labels: { repo: 'api', model: 'model-a', outcome: 'succeeded' }, value: 1 },
          { name: 'flotilla_director_tickets_processed_total', labels: { status: 'in_review' }, value: 1 },
          { name: 'flotilla_director_job_duration_seconds_count', labels: { repo: 'api', outcome: 'succeeded' }, value: 1 },
          { name: 'flotilla_director_paused', labels: {}, value: 0 },
        ]),
      );
      // The job's usage came from the daemon (GET /api/jobs/:id), recorded per attempt in the ledger.
      expect(parsed.samples.filter((s) => s.name === 'flotilla_director_tokens_total').map((s) => s.labels.type).sort()).toEqual(['cache_read', 'cache_write', 'input', 'output']);
      expect(parsed.samples.find((s) => s.name === 'flotilla_director_cost_usd_total')?.labels).toEqual({ repo: 'api', model: 'model-a' });
      // Not on other interfaces: only loopback was bound.
      expect(url.startsWith('http://127.0.0.1:')).toBe(true);

      // The cycle ends (and is printed) after the batch's learning was recorded.
      await waitFor('the cycle report', async () => /^cycle \S+: 1 batch/m.test(stdout));
      expect(stdout).not.toContain('note: learnings');
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
      const printed = await world.main(['metrics', '--config', config]);
      expect(printed.code, printed.stderr).toBe(0);
      expect(counters(parseExposition(printed.stdout))).toEqual(counters(parsed));

      // The same cycle recorded how the ticket ended in the real codekb memory of this FLOTILLA_HOME.
      const codekb = fileURLToPath(new URL('../../../codekb/dist/cli/main.js', import.meta.url));
      const listed = await promisify(execFile)(process.execPath, [codekb, 'memory', 'ls', '--json'], { env: { ...process.env, FLOTILLA_HOME: world.home } });
      const learnings = RecalledLearningSchema.array().parse(JSON.parse(listed.stdout));
      expect(learnings).toEqual([expect.objectContaining({ outcome: 'success', text: expect.stringContaining('acme/tickets#1 "[api] add a greeting" succeeded (branch) on model-a') })]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('should say when there is no ledger yet', async () => {
    const config = await world.writeConfig(worldConfig(world, { stateDir: join(world.tmp.path, 'never-ran') }), 'never.yaml');
    const printed = await world.main(['metrics', '--config', config]);
    expect(printed.code).toBe(1);
    expect(printed.stderr).toContain('no ledger at');
  });
});
