import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { isProtocolError, type FlotillaEvent, type Session } from '@flotilla/protocol';
import { PASTE_AGENT } from '../sessions/test-support.js';
import { collectEvents, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { agents: { paster: { argv: [process.execPath, PASTE_AGENT] } } } });
});
afterAll(async () => {
  await h[Symbol.asyncDispose]();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  return isProtocolError(error) ? error.code : `not a protocol error: ${String(error)}`;
}

async function screenShows(name: string, text: string): Promise<void> {
  await waitFor(async () => (await h.client.peek(name, { lines: 100 })).lines.some((l) => l.includes(text)), 10_000);
}

describe('sessions through the real daemon (/api/sessions)', () => {
  it('should create, list, send, peek, log and stop a session, with events on the stream', async () => {
    const session = await h.client.createSession({ name: 'api-one', agent: 'paster', cwd: h.repo });
    expect(session).toMatchObject({ name: 'api-one', host: 'e2e-host', agent: 'paster', kind: 'agent' });
    await screenShows('api-one', 'paste-agent ready');
    const listed = await h.client.listSessions();
    expect(listed.map((s) => s.name)).toEqual(['api-one']);
    expect(listed[0]).toMatchObject({ since: expect.any(String), source: expect.any(String), agent: 'paster', host: 'e2e-host' });
    // A custom agent is tracked from its screen: it leaves `unknown` once its UI shows.
    await waitFor(async () => (await h.client.getSession('api-one')).state !== 'unknown', 10_000);

    const text = 'first line\nsecond "line" with $(whoami)';
    expect(await h.client.send('api-one', { text })).toMatchObject({ delivered: true, confirmedBy: 'screen' });
    const turns = readFileSync(join(h.repo, 'turns.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(turns).toEqual([{ text, pasted: true }]);
    expect((await h.client.peek('api-one', { lines: 5 })).lines.length).toBeLessThanOrEqual(5);

    const stopped = await h.client.stopSession('api-one');
    expect(stopped.state).toBe('exited');
    expect(await h.client.listSessions()).toEqual([]);
    expect((await h.client.listSessions({ all: true })).map((s) => s.name)).toEqual(['api-one']);
    const log = await h.client.sessionLog('api-one');
    expect(log[0]?.kind).toBe('lifecycle');
    expect(log.filter((e) => e.kind === 'send').map((e) => e.message)).toEqual([expect.stringMatching(/^sent 39 characters: confirmed by screen/)]);
    expect(log.at(-1)?.message).toMatch(/→ exited \(cb\) — stopped by cb session stop$/);

    const events = await collectEvents(h.client, () => true, (es) => es.filter((e) => e.type === 'session.log').length === log.length);
    const sessionEvents = events.filter((e) => e.type.startsWith('session.'));
    expect(sessionEvents[0]?.type).toBe('session.created');
    expect(sessionEvents.filter((e) => e.type === 'session.log').map((e) => e.type === 'session.log' && e.entry)).toEqual(log);
    const changes = sessionEvents.flatMap((e) => (e.type === 'session.state' ? [[e.previous, e.session.state]] : []));
    expect(changes[0]?.[0]).toBe('unknown');
    expect(changes.at(-1)?.[1]).toBe('exited');
    expect(sessionEvents.filter((e) => e.type === 'session.ended').length).toBe(1);
  });

  it('should answer bad requests with protocol errors, never crashing the daemon', async () => {
    expect(await codeOf(h.client.getSession('nobody'))).toBe('SESSION_NOT_FOUND');
    expect(await codeOf(h.client.createSession({ name: 'bad name!', agent: 'paster', cwd: h.repo }))).toBe('VALIDATION_FAILED');
    expect(await codeOf(h.client.createSession({ name: 'x', agent: 'paster', cwd: '/nonexistent/dir' }))).toBe('CWD_NOT_FOUND');
    expect(await codeOf(h.client.createSession({ name: 'x', agent: 'ghost', cwd: h.repo }))).toBe('AGENT_UNKNOWN');
    expect(await codeOf(h.client.send('nobody', { text: 'hi' }))).toBe('SESSION_NOT_FOUND');
    const raw = createSocketTransport(h.paths.socket);
    const badKey = await raw.request({ method: 'POST', path: '/api/sessions/nobody/send', body: { key: 'rm -rf' } });
    expect([badKey.status, (badKey.body as { error: { code: string } }).error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const badLines = await raw.request({ method: 'GET', path: '/api/sessions/nobody/peek', query: { lines: 'many' } });
    expect(badLines.status).toBe(400);
    expect((await h.client.health()).pid).toBe(h.daemon?.pid);
  });

  it('should make a worktree for --worktree, remove it at stop when it holds nothing, and keep one with work until gc may', async () => {
    const session = await h.client.createSession({ name: 'wt', agent: 'paster', cwd: h.repo, worktree: true });
    expect(session.worktree).toMatchObject({ repoRoot: h.repo, branch: expect.stringMatching(/^flotilla\/[0-9a-z]{8}-wt$/) });
    expect(session.cwd).toBe(session.worktree?.path);
    expect(session.cwd.startsWith(h.paths.worktreesDir)).toBe(true);
    const stopped = await h.client.stopSession('wt');
    expect(stopped.worktree?.removed).toBe(true);
    expect(existsSync(session.cwd)).toBe(false);
    expect(spawnSync('git', ['-C', h.repo, 'branch', '--list', session.worktree?.branch ?? '']).stdout.toString().trim()).toBe('');

    const busy = await h.client.createSession({ name: 'wt-work', agent: 'paster', cwd: h.repo, worktree: true });
    writeFileSync(join(busy.cwd, 'draft.txt'), 'work in progress\n');
    const kept = await h.client.stopSession('wt-work');
    expect(kept.worktree?.removed).toBe(false);
    expect((await h.client.sessionLog('wt-work')).at(-1)?.message).toMatch(/^worktree .* kept \(branch flotilla\/.*\): kept because it has uncommitted changes in 1 file/);
    const report = await h.client.gc({ olderThanDays: 0 });
    expect(report.worktreesKept.map((k) => k.path)).toContain(busy.cwd);
    expect(existsSync(join(busy.cwd, 'draft.txt'))).toBe(true);
  });

  it('should put a session that waits after working in the inbox and announce it once as needing you', async () => {
    const session = await h.client.createSession({ name: 'needy', agent: 'paster', cwd: h.repo });
    await waitFor(async () => (await h.client.getSession('needy')).state !== 'unknown', 10_000);
    expect((await h.client.inbox()).some((e) => e.kind === 'session' && e.name === 'needy')).toBe(false);
    await h.client.send('needy', { text: 'do something' });
    // The paste-agent prints the turn (working), then rests (waiting_input after a quiet 2 s).
    await waitFor(async () => (await h.client.getSession('needy')).state === 'waiting_input', 15_000);
    const entry = (await h.client.inbox()).find((e) => e.kind === 'session' && e.name === 'needy');
    expect(entry).toMatchObject({ kind: 'session', sessionId: session.id, state: 'waiting_input', title: 'waits for input', agent: 'paster' });
    const events = await collectEvents(h.client, () => true, (all) => all.some((e) => e.type === 'notification' && e.sessionId === session.id));
    const notices = events.filter((e) => e.type === 'notification' && e.sessionId === session.id);
    expect(notices).toEqual([expect.objectContaining({ kind: 'needs_you', title: 'needy needs you', body: 'needy (paster) finished its turn and waits for input', jobId: null })]);
    await h.client.stopSession('needy');
    expect((await h.client.inbox()).some((e) => e.kind === 'session' && e.name === 'needy')).toBe(false);
  });

  it('should keep a live session across a daemon kill and restart one whose tmux session died meanwhile', async () => {
    const keep = await h.client.createSession({ name: 'keep', agent: 'paster', cwd: h.repo });
    const lose = await h.client.createSession({ name: 'lose', agent: 'paster', cwd: h.repo });
    await screenShows('keep', 'paste-agent ready');
    await h.killDaemon();
    h.tmux('kill-session', '-t', `=${lose.tmuxSession}`);
    await h.startDaemon();
    const byName = new Map((await h.client.listSessions({ all: true })).map((s): [string, Session] => [s.name, s]));
    expect(byName.get('keep')?.pid).toBe(keep.pid);
    expect(byName.get('keep')?.state).not.toBe('exited');
    expect(byName.get('lose')).toMatchObject({ restarts: 1 });
    expect(byName.get('lose')?.state).not.toBe('exited');
    expect((await h.client.sessionLog('lose')).map((e) => e.message)).toContainEqual(expect.stringMatching(/^restarted the agent \(restart 1\), a new conversation \(none to resume\): its tmux session was gone after a daemon restart/));
    await h.client.stopSession('lose');
    expect(await h.client.send('keep', { text: 'after the restart' })).toMatchObject({ delivered: true });
    await h.client.stopSession('keep');
  });
});
