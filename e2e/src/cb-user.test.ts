import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonStatus, Job } from '@flotilla/protocol';
import { freshUser, type User } from './cb-user.js';

let user: User | undefined;
afterEach(async () => {
  await user?.[Symbol.asyncDispose]();
  user = undefined;
});

const writeFile = (file: string, content: string) => [
  { text: `Writing ${file}.`, toolUses: [{ name: 'Write', input: { file_path: file, content } }] },
  { text: `Created ${file}.` },
];

describe('a user with a fresh HOME and the cb command', () => {
  it('should dispatch with `cb "…"`, return at once with the id, and report back through wait, show, ls, logs and inbox', async () => {
    user = await freshUser(writeFile('notes.txt', 'written in the background\n'));
    const started = Date.now();
    const created = await user.cb(['--worktree', 'write notes.txt']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    expect(Date.now() - started).toBeLessThan(15_000); // includes starting the daemon the first time
    const waited = await user.cb(['wait', id]);
    expect(waited.code).toBe(0);
    const job = await user.json<Job>(['show', id]);
    expect(job).toMatchObject({ id, status: 'succeeded', host: 'laptop', agent: 'claude', result: 'Created notes.txt.' });
    expect(job.worktree?.branch).toMatch(/^flotilla\/[0-9a-z]{8}-write-notes-txt$/);
    expect(readFileSync(join(job.worktree!.path, 'notes.txt'), 'utf8')).toBe('written in the background\n');
    expect(existsSync(join(user.repo, 'notes.txt'))).toBe(false);
    const list = await user.json<Job[]>(['ls']);
    expect(list.map((j) => j.id)).toEqual([id]);
    const table = await user.cb(['ls']);
    expect(table.stdout).toContain('succeeded');
    expect(table.stdout).toContain('write notes.txt');
    const logs = await user.cb(['logs', id]);
    expect(logs.stdout).toContain('Created notes.txt.');
    expect(logs.stdout).toContain('notes.txt');
    const show = await user.cb(['show', id]);
    expect(show.stdout).toContain(job.worktree!.branch);
    expect(show.stdout).toContain('notes.txt');
    expect((await user.json<unknown[]>(['inbox'])).length).toBe(1);
    expect((await user.cb(['read', id])).code).toBe(0);
    expect(await user.json<unknown[]>(['inbox'])).toEqual([]);
  });

  it('should take the prompt from stdin, report the daemon, and exit non-zero from wait when the job failed', async () => {
    user = await freshUser([{ status: 401, type: 'authentication_error', message: 'invalid x-api-key', repeat: 'forever' }]);
    const created = await user.cb(['-'], { input: 'prompt from a pipe\n' });
    const id = created.stdout.trim();
    expect(created.code).toBe(0);
    const waited = await user.cb(['wait', id]);
    expect(waited.code).toBe(1);
    const job = await user.json<Job>(['show', id]);
    expect(job.prompt.trim()).toBe('prompt from a pipe');
    expect(job.failure?.kind).toBe('auth_failed');
    const text = await user.cb(['show', id]);
    expect(text.stdout).toContain('auth failed: the agent could not authenticate');
    const status = await user.json<DaemonStatus>(['daemon', 'status']);
    expect(status).toMatchObject({ pid: expect.any(Number), version: expect.any(String), protocol: 1 });
    const refused = await user.cb(['again']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cb doctor');
  });
});
