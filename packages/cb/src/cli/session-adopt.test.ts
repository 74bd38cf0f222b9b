import { describe, expect, it, vi } from 'vitest';
import { createClient, type Session } from '@flotilla/protocol';
import { attach } from './commands/attach.js';
import { runCli } from './run-cli.js';
import { createMemoryTransport, minutesAgo, reply, testContext, testStreams } from './testing.js';

/** A Claude in pane %7 of the user's default tmux server, discovered by the daemon. */
const EXTERNAL: Session = {
  id: '01JZ8Q7W3MDDDDDDDDDDDDDDDD',
  name: 'work.1.0',
  host: 'dragon',
  kind: 'agent',
  agent: 'claude',
  model: null,
  cwd: '/work/repo',
  worktree: null,
  command: null,
  alerts: [],
  state: 'working',
  since: minutesAgo(2),
  source: 'session-file',
  waitingFor: null,
  tmuxSession: '%7',
  tmuxSocket: 'default',
  pid: 5151,
  agentSessionId: 'aaaaaaaa-0000-0000-0000-000000000000',
  external: true,
  restarts: 0,
  createdAt: minutesAgo(2),
  updatedAt: minutesAgo(2),
  endedAt: null,
};

describe('cb session ls with discovered sessions', () => {
  it('should mark a session started outside Flotilla as external', async () => {
    const ctx = testContext(createMemoryTransport({ 'GET /api/sessions': [EXTERNAL] }));
    expect(await runCli(['session', 'ls'], ctx)).toBe(0);
    const [header, row] = ctx.streams.stdout.text.split('\n');
    expect(header).toMatch(/^NAME\s+STATE/);
    expect(row).toMatch(/^work\.1\.0 \(external\)\s+working 2m00s\s+claude\s+-\s+dragon\s+session-file\s+\/work\/repo/);
  });

  it('should keep external, tmuxSocket and host in --json', async () => {
    const ctx = testContext(createMemoryTransport({ 'GET /api/sessions': [EXTERNAL] }));
    expect(await runCli(['session', 'ls', '--json'], ctx)).toBe(0);
    expect(JSON.parse(ctx.streams.stdout.text)).toEqual([expect.objectContaining({ external: true, host: 'dragon', tmuxSocket: 'default', state: 'working' })]);
  });
});

describe('cb session adopt NAME', () => {
  it('should adopt through the API and say so', async () => {
    const transport = createMemoryTransport({ 'POST /api/sessions/work.1.0/adopt': { ...EXTERNAL, external: false } });
    const ctx = testContext(transport);
    expect(await runCli(['session', 'adopt', 'work.1.0'], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toBe('work.1.0 adopted (working)\n');
    expect(transport.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/sessions/work.1.0/adopt']);
  });

  it("should print the daemon's refusal with its fix", async () => {
    const refusal = {
      error: {
        code: 'CONFLICT',
        message: 'session claude-bg-bg7f3a9c21 is a Claude Code background session (claude --bg): it runs under Claude\'s own supervisor with no terminal, so it cannot be adopted into tmux',
        fix: 'keep using Claude\'s own commands (claude agents, claude logs), or continue the conversation in tmux',
      },
    };
    const ctx = testContext(createMemoryTransport({ 'POST /api/sessions/claude-bg-bg7f3a9c21/adopt': reply(409, refusal) }));
    expect(await runCli(['session', 'adopt', 'claude-bg-bg7f3a9c21'], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toMatch(/cannot be adopted into tmux/);
    expect(ctx.streams.stderr.text).toMatch(/claude agents, claude logs/);
  });
});

describe('cb attach of a session on the user tmux server', () => {
  it('should attach on its own server, at its pane', async () => {
    const spawn = vi.fn(async () => 0);
    const hasSession = vi.fn(() => true);
    const client = createClient(createMemoryTransport({ 'GET /api/sessions/work.1.0': { ...EXTERNAL, external: false } }));
    await attach({ client, streams: testStreams(), id: 'work.1.0', tmuxSocketName: 'flotilla-abc', env: {}, spawn, hasSession });
    expect(hasSession).toHaveBeenCalledWith('default', '%7');
    expect(spawn).toHaveBeenCalledWith({ command: 'tmux', args: ['-L', 'default', 'attach-session', '-t', '%7'], env: { TMUX: undefined } });
  });

  it('should refuse a session that is not in a tmux pane', async () => {
    const client = createClient(createMemoryTransport({ 'GET /api/sessions/claude-4242': { ...EXTERNAL, name: 'claude-4242', tmuxSession: '', tmuxSocket: null } }));
    const attaching = attach({ client, streams: testStreams(), id: 'claude-4242', tmuxSocketName: 'x', env: {}, spawn: async () => 0, hasSession: () => true });
    await expect(attaching).rejects.toThrow('is not in a tmux pane');
  });
});
