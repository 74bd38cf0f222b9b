import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProtocolError, type Job } from '@flotilla/protocol';
import { makeAttempt, makeJob } from '../cli/testing.js';
import { inScope } from '../daemon/routes/relay-auth.js';
import { homePaths } from '../home.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { JobStore } from '../store/types.js';
import { createAgentAccess, hashToken, JOB_TOKEN_PREFIX, sessionArgvWithInstructions, withPromptLine, withRelayTools } from './access.js';

const USER_TOKEN = 'user-token-0123456789abcdefghijklmnopqrstuvw';
let store: JobStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'cb-access-'));
  store = createSqliteStore({ path: join(home, 'flotilla.db'), host: 'box' });
  const access = createAgentAccess({ store, paths: homePaths(home), host: 'box', userToken: USER_TOKEN, env: { PATH: '/nonexistent' } });
  return { home, store, access };
}

const running = (n = 1): Job =>
  makeJob({ status: 'running', endedAt: null, attempts: Array.from({ length: n }, (_, i) => makeAttempt({ n: i + 1, status: i + 1 === n ? 'running' : 'failed' })) });

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!isProtocolError(error)) throw new Error(`expected a protocol error, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('agent access (job tokens)', () => {
  it('should mint a token whose hash only is stored, write a 0600 instruction file, and know the caller while its attempt runs', async () => {
    const { home, store, access } = setup();
    const job = running();
    await store.createJob(job, { env: {} });
    const grant = await access.grantJob(job, 1);
    const token = grant.env.FLOTILLA_JOB_TOKEN!;
    expect(token.startsWith(JOB_TOKEN_PREFIX)).toBe(true);
    expect(grant.env).toMatchObject({ FLOTILLA_HOME: home, FLOTILLA_INSTRUCTIONS: join(home, 'jobs', job.id, 'flotilla-instructions.md') });
    expect(readFileSync(join(home, 'flotilla.db')).includes(Buffer.from(token))).toBe(false);
    expect(await store.findAgentToken(hashToken(token))).toMatchObject({ kind: 'job', ownerId: job.id, attempt: 1, revokedAt: null });
    expect(statSync(grant.instructionsPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(grant.instructionsPath, 'utf8')).toContain('board claim --json');
    expect(await access.verify(token)).toMatchObject({ kind: 'job', ownerId: job.id, name: `job-${job.id.slice(0, 10).toLowerCase()}` });
  });

  it('should refuse a token once its job ended, once a newer attempt replaced it, and when unknown, each with words', async () => {
    const { store, access } = setup();
    const job = running();
    await store.createJob(job, { env: {} });
    const first = (await access.grantJob(job, 1)).env.FLOTILLA_JOB_TOKEN!;
    await store.updateJob(job.id, () => ({ job: running(2), events: [] }));
    const second = (await access.grantJob(job, 2)).env.FLOTILLA_JOB_TOKEN!;
    expect(await rejection(access.verify(first))).toEqual({ code: 'UNAUTHORIZED', message: 'this job token was revoked (replaced by attempt 2)' });
    expect((await access.verify(second)).attempt).toBe(2);
    await store.updateJob(job.id, (j) => ({ job: { ...j, status: 'succeeded' }, events: [] }));
    expect(await rejection(access.verify(second))).toEqual({ code: 'UNAUTHORIZED', message: `this job token was revoked (job ${job.id} attempt 2 is no longer running)` });
    expect(await rejection(access.verify('fjt_nobody'))).toMatchObject({ message: 'this job token is not known to this daemon' });
    expect(await store.pruneAgentTokens(new Date(Date.now() + 1000).toISOString())).toBe(2);
    expect(await rejection(access.verify(second))).toMatchObject({ message: 'this job token is not known to this daemon' });
    expect(await rejection(access.verify(USER_TOKEN))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it("should drop every variable carrying the daemon's own token and point only built-in agents at the file", () => {
    const { access } = setup();
    expect(access.scrub({ A: 'x', LEAK: `Bearer ${USER_TOKEN}`, B: 'y' })).toEqual({ A: 'x', B: 'y' });
    const grant = { env: {}, instructionsPath: '/f', promptLine: '(see /f)', allowedTools: ['Bash(cb board:*)'] };
    expect(withPromptLine('do it', grant, 'claude')).toBe('do it\n\n(see /f)');
    expect(withPromptLine('echo hi', grant, 'shell')).toBe('echo hi');
    expect(withRelayTools('claude', ['claude', '-p', '--', 'go'], grant)).toEqual(['claude', '-p', '--allowedTools', 'Bash(cb board:*)', '--', 'go']);
    expect(withRelayTools('claude', ['claude', '--allowedTools', 'Edit', '--', 'go'], grant)).toEqual(['claude', '--allowedTools', 'Bash(cb board:*)', 'Edit', '--', 'go']);
    expect(withRelayTools('codex', ['codex', '--', 'go'], grant)).toEqual(['codex', '--', 'go']);
    expect(sessionArgvWithInstructions('claude', ['claude', '--resume', 'x'], grant)).toEqual(['claude', '--resume', 'x']);
    expect(sessionArgvWithInstructions('codex', ['codex', 'resume', '--no-daemon', 'x'], grant)).toEqual(['codex', '-c', 'developer_instructions="(see /f)"', 'resume', '--no-daemon', 'x']);
    expect(sessionArgvWithInstructions('aider', ['aider'], grant)).toEqual(['aider']);
  });
});

describe('job token scope', () => {
  const job = { kind: 'job' as const, ownerId: '01JOB', attempt: 1, name: 'job-01job', tokenHash: 'h' };
  const session = { kind: 'session' as const, ownerId: '01SESS', attempt: null, name: 'rev', tokenHash: 'h' };
  it('should open the relay and reads of its own job or session, and nothing else', () => {
    expect(inScope('POST', '/api/relay/board/claim', job)).toBe(true);
    expect(inScope('GET', '/api/jobs/01JOB', job)).toBe(true);
    expect(inScope('GET', '/api/jobs/01JOB/transcript', job)).toBe(true);
    expect(inScope('GET', '/api/jobs/01OTHER', job)).toBe(false);
    expect(inScope('POST', '/api/jobs/01JOB/cancel', job)).toBe(false);
    expect(inScope('GET', '/api/jobs', job)).toBe(false);
    expect(inScope('GET', '/api/sessions/rev', job)).toBe(false);
    expect(inScope('GET', '/api/sessions/rev', session)).toBe(true);
    expect(inScope('GET', '/api/sessions/rev/peek', session)).toBe(true);
    expect(inScope('POST', '/api/sessions/rev/send', session)).toBe(false);
    expect(inScope('GET', '/api/sessions/other', session)).toBe(false);
    expect(inScope('GET', '/api/events', session)).toBe(false);
  });
});
