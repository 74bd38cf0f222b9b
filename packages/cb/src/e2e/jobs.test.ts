import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlotillaEvent } from '@flotilla/protocol';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.[Symbol.asyncDispose]();
  h = undefined;
});

const write = (file: string, content: string) => [
  { text: `Writing ${file}.`, toolUses: [{ name: 'Write', input: { file_path: file, content } }] },
  { text: `Created ${file}.` },
];

describe('cb jobs end to end (real Claude Code against the fake API)', () => {
  it('should run a worktree job whose Write tool call leaves the real file in its own worktree only', async () => {
    h = await startHarness({ anthropic: write('hello.txt', 'hi from the agent\n') });
    const created = await h.createJob({ prompt: 'create hello.txt', worktree: true });
    expect(created.status).toBe('queued');
    expect(created.worktree?.branch).toMatch(/^flotilla\/[0-9a-z]{8}-create-hello-txt$/);
    const job = await h.waitEnded(created.id);
    expect(job.status).toBe('succeeded');
    expect(job.result).toBe('Created hello.txt.');
    expect(readFileSync(join(job.worktree!.path, 'hello.txt'), 'utf8')).toBe('hi from the agent\n');
    expect(existsSync(join(h.repo, 'hello.txt'))).toBe(false);
    expect(job.worktree!.path.startsWith(h.paths.worktreesDir)).toBe(true);
    expect(job.worktree!.changedFiles).toEqual(['hello.txt']);
    expect(job.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.usage.inputTokens).toBeGreaterThan(0);
    expect(job.cost.source).toBe('agent');
    expect(job.attempts).toHaveLength(1);
    expect(job.unread).toBe(true);
    const transcript = await h.client.transcript(job.id);
    expect(transcript.entries.map((e) => e.type)).toEqual(expect.arrayContaining(['text', 'tool_call', 'edit', 'final']));
    const diff = await h.client.diff(job.id);
    expect(diff.diff).toContain('+hi from the agent');
    expect((await h.client.inbox()).map((i) => (i.kind === 'job' ? i.jobId : i.name))).toEqual([job.id]);
    await h.client.markRead(job.id);
    expect(await h.client.inbox()).toEqual([]);
    // the model flag sent by the real CLI: sonnet, never the CLI's own Opus default
    expect(h.anthropic.requests.filter((r) => r.kind === 'main').every((r) => /sonnet/.test(String((r.body as { model?: string }).model)))).toBe(true);
  });

  it('should give each parallel worktree job its own branch and files', async () => {
    h = await startHarness({ anthropic: [...write('a.txt', 'A\n'), ...write('b.txt', 'B\n')] });
    const [first, second] = await Promise.all([h.createJob({ prompt: 'job a', worktree: true }), h.createJob({ prompt: 'job b', worktree: true })]);
    const [a, b] = await Promise.all([h.waitEnded(first!.id), h.waitEnded(second!.id)]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(a.worktree!.branch).not.toBe(b.worktree!.branch);
    expect(a.worktree!.changedFiles.length + b.worktree!.changedFiles.length).toBe(2);
    expect(a.worktree!.changedFiles).not.toEqual(b.worktree!.changedFiles);
  });

  it('should return the same job for a repeated idempotency key and refuse bad input with a clear error', async () => {
    h = await startHarness({ anthropic: [{ text: 'ok' }] });
    const one = await h.createJob({ prompt: 'once', idempotencyKey: 'k-1' });
    const two = await h.createJob({ prompt: 'once', idempotencyKey: 'k-1' });
    expect(two.id).toBe(one.id);
    await expect(h.createJob({ prompt: 'x', permissions: 'bypass' })).rejects.toMatchObject({ code: 'BYPASS_REQUIRES_WORKTREE' });
    await expect(h.createJob({ prompt: 'x', agent: 'nope' })).rejects.toMatchObject({ code: 'AGENT_UNKNOWN' });
    await expect(h.createJob({ prompt: 'x', cwd: '/does/not/exist' })).rejects.toMatchObject({ code: 'CWD_NOT_FOUND' });
    await expect(h.createJob({ prompt: 'x', worktree: true, cwd: '/tmp' })).rejects.toMatchObject({ code: 'NOT_A_GIT_REPO' });
    await expect(h.createJob({ prompt: 'x', worktree: true, base: 'no-such-ref' })).rejects.toMatchObject({ code: 'WORKTREE_FAILED' });
    expect((await h.waitEnded(one.id)).status).toBe('succeeded');
  });

  it('should stream every change over SSE with the outbox id, and resume after Last-Event-ID', async () => {
    h = await startHarness({ anthropic: [{ text: 'done quickly' }] });
    const controller = new AbortController();
    const seen: FlotillaEvent[] = [];
    const reading = (async () => {
      for await (const event of h!.client.events({ lastEventId: 0, signal: controller.signal })) {
        seen.push(event);
        if (event.type === 'job.ended') break;
      }
    })();
    const job = await h.createJob({ prompt: 'quick' });
    await reading;
    controller.abort();
    const types = seen.map((e) => e.type);
    expect(types[0]).toBe('job.created');
    expect(types).toEqual(expect.arrayContaining(['attempt.started', 'attempt.ended', 'job.ended']));
    expect(seen.every((e, i) => i === 0 || e.id > seen[i - 1]!.id)).toBe(true);
    const ended = seen.find((e) => e.type === 'job.ended');
    expect(ended?.type === 'job.ended' && ended.job.id).toBe(job.id);
    // resuming from the middle replays exactly what came after
    const middle = seen[2]!.id;
    const replay: number[] = [];
    const again = new AbortController();
    for await (const event of h.client.events({ lastEventId: middle, signal: again.signal })) {
      replay.push(event.id);
      if (event.id >= ended!.id) break;
    }
    again.abort();
    expect(replay).toEqual(seen.filter((e) => e.id > middle).map((e) => e.id));
  });

  it('should run a Codex job through its own JSON output and price tokens from the config', async () => {
    h = await startHarness({
      openai: [{ text: 'Creating the file.', toolUses: [{ name: 'exec_command', input: { cmd: 'echo codex > codex.txt' } }] }, { text: 'Created codex.txt.' }],
      config: { prices: { 'gpt-fake': { inputPerMTok: 1, outputPerMTok: 2 } }, models: { claude: 'sonnet', codex: 'gpt-fake' } },
    });
    const job = await h.waitEnded((await h.createJob({ prompt: 'make codex.txt', agent: 'codex', worktree: true })).id);
    expect(job.status).toBe('succeeded');
    expect(job.result).toBe('Created codex.txt.');
    expect(readFileSync(join(job.worktree!.path, 'codex.txt'), 'utf8')).toBe('codex\n');
    expect(job.agentSessionId).toBeTruthy();
    expect(job.usage.inputTokens).toBeGreaterThan(0);
    expect(job.cost.source).toBe('price_table');
    expect(job.cost.usd).toBeGreaterThan(0);
  });

  it('should resume the agent conversation as attempt 2 of the same job, and retry a job from scratch', async () => {
    h = await startHarness({ anthropic: [{ text: 'first answer' }, { text: 'follow-up answer' }, { text: 'retried answer' }] });
    const first = await h.waitEnded((await h.createJob({ prompt: 'start' })).id);
    expect(first.status).toBe('succeeded');
    await expect(h.client.resumeJob(first.id, '')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const resumed = await h.waitEnded((await h.client.resumeJob(first.id, 'and then?')).id);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.result).toBe('follow-up answer');
    expect(resumed.attempts.map((a) => [a.n, a.reason, a.resumedSessionId])).toEqual([
      [1, 'new', null],
      [2, 'resume', first.agentSessionId],
    ]);
    const main = h.anthropic.requests.filter((r) => r.kind === 'main');
    const history = (main[1]?.body as { messages?: unknown[] }).messages ?? [];
    expect(history.length).toBeGreaterThan(1); // the earlier turn was replayed by the real CLI
    const retried = await h.waitEnded((await h.client.retryJob(first.id)).id);
    expect(retried.attempts.at(-1)).toMatchObject({ n: 3, reason: 'retry', resumedSessionId: null });
    expect(retried.result).toBe('retried answer');
    await expect(h.client.retryJob(first.id).then(() => h!.client.retryJob(first.id))).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });
});
