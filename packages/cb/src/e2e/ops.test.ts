import { createHmac } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.[Symbol.asyncDispose]();
  h = undefined;
});

describe('operations end to end', () => {
  it('should clear an unusable credential only when cb doctor runs a test prompt successfully', async () => {
    h = await startHarness({ anthropic: [{ status: 401, type: 'authentication_error', message: 'invalid x-api-key', repeat: 'forever' }] });
    const failed = await h.waitEnded((await h.createJob({ prompt: 'x' })).id);
    expect(failed.failure?.kind).toBe('auth_failed');
    const stillBad = await h.client.doctor();
    expect(stillBad.ok).toBe(false);
    expect(stillBad.checks.find((c) => c.name === 'claude last run')).toMatchObject({ ok: false, fix: expect.stringContaining('cb doctor') });
    h.anthropic.setScenario([{ text: 'OK' }]);
    const fixed = await h.client.doctor();
    expect(fixed.checks.find((c) => c.name === 'claude last run')).toMatchObject({ ok: true });
    const job = await h.waitEnded((await h.createJob({ prompt: 'now it works' })).id);
    expect(job.status).toBe('succeeded');
  });

  it('should deliver a signed webhook and run the onJobEnd hook with the job JSON when a job ends', async () => {
    const received: { body: string; signature: string | undefined }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ body, signature: req.headers['x-flotilla-signature'] as string | undefined });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const hookOut = join('/tmp', `cb-hook-${process.pid}-${Date.now()}.json`);
    try {
      h = await startHarness({
        anthropic: [{ text: 'finished' }],
        config: { webhooks: [{ url: `http://127.0.0.1:${port}/hook`, secret: 's3cret' }], hooks: { onJobEnd: `cat > ${hookOut}` } },
      });
      const job = await h.waitEnded((await h.createJob({ prompt: 'notify me' })).id);
      await waitFor(() => received.length === 1 && existsSync(hookOut), 15_000);
      const delivery = received[0]!;
      expect(JSON.parse(delivery.body)).toMatchObject({ type: 'job.ended', job: { id: job.id, status: 'succeeded' } });
      expect(delivery.signature).toBe(`sha256=${createHmac('sha256', 's3cret').update(delivery.body).digest('hex')}`);
      const { readFileSync } = await import('node:fs');
      await waitFor(() => readFileSync(hookOut, 'utf8').includes(job.id), 5_000);
    } finally {
      server.close();
      writeFileSync(hookOut, '');
    }
  });

  it('should garbage-collect clean worktrees and old jobs but keep a worktree that holds changes', async () => {
    h = await startHarness({
      anthropic: [{ text: 'nothing to change' }, { text: 'Writing.', toolUses: [{ name: 'Write', input: { file_path: 'keep.txt', content: 'keep' } }] }, { text: 'done' }],
    });
    const clean = await h.waitEnded((await h.createJob({ prompt: 'look only', worktree: true })).id);
    const dirty = await h.waitEnded((await h.createJob({ prompt: 'write keep', worktree: true })).id);
    const preview = await h.client.gc({ dryRun: true, olderThanDays: 0 });
    expect(preview.dryRun).toBe(true);
    expect(existsSync(clean.worktree!.path)).toBe(true);
    const report = await h.client.gc({ olderThanDays: 0 });
    expect(report.worktreesRemoved).toEqual([clean.worktree!.path]);
    expect(report.worktreesKept).toEqual([{ path: dirty.worktree!.path, reason: expect.stringContaining('uncommitted') }]);
    expect(report.jobsRemoved).toEqual([clean.id]);
    expect(existsSync(clean.worktree!.path)).toBe(false);
    expect(existsSync(join(dirty.worktree!.path, 'keep.txt'))).toBe(true);
    await expect(h.client.getJob(clean.id)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect((await h.client.getJob(dirty.id)).worktree?.removed).toBe(false);
  });

  it('should send a resync event to a client resuming from an event id that was pruned', async () => {
    h = await startHarness({ anthropic: [{ text: 'ok' }] });
    await h.waitEnded((await h.createJob({ prompt: 'make some events' })).id);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(h.paths.db);
    db.pragma('busy_timeout = 5000');
    const { n } = db.prepare('select count(*) as n from outbox').get() as { n: number };
    db.prepare("update outbox set at = '2020-01-01T00:00:00.000Z' where id <= ?").run(n - 1);
    db.close();
    await h.client.gc({});
    const controller = new AbortController();
    const first = await (async () => {
      for await (const event of h!.client.events({ lastEventId: 0, signal: controller.signal })) return event;
      return null;
    })();
    controller.abort();
    expect(first).toMatchObject({ type: 'resync', reason: expect.stringContaining('pruned') });
  });
});
