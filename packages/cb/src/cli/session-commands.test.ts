import { describe, expect, it, vi } from 'vitest';
import { createClient, type Session } from '@flotilla/protocol';
import { attach } from './commands/attach.js';
import { runCli } from './run-cli.js';
import { createMemoryTransport, minutesAgo, reply, testContext, testStreams } from './testing.js';

function makeSession(over: Partial<Session> = {}): Session {
  return {
    id: '01JZ8Q7W3MBBBBBBBBBBBBBBBB',
    name: 'reviewer',
    host: 'dragon',
    kind: 'agent',
    agent: 'claude',
    model: 'sonnet',
    cwd: '/work/repo',
    worktree: null,
    command: null,
    alerts: [],
    state: 'waiting_permission',
    since: new Date(Date.parse(minutesAgo(3)) - 12_000).toISOString(),
    source: 'hook',
    waitingFor: 'Bash: rm -rf build',
    tmuxSession: 'sess-reviewer-bbbbbbbb',
    pid: 4242,
    agentSessionId: null,
    external: false,
    restarts: 0,
    createdAt: minutesAgo(20),
    updatedAt: minutesAgo(3),
    endedAt: null,
    ...over,
  };
}

const REVIEWER = makeSession();
const TESTER = makeSession({ id: '01JZ8Q7W3MCCCCCCCCCCCCCCCC', name: 'tester', agent: 'codex', model: null, state: 'working', since: minutesAgo(0.75), waitingFor: null, cwd: '/work/other' });

describe('cb session ls', () => {
  it('should show each session with its state and how long it has been in it', async () => {
    const transport = createMemoryTransport({ 'GET /api/sessions': [REVIEWER, TESTER] });
    const ctx = testContext(transport);
    expect(await runCli(['session', 'ls'], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toMatchInlineSnapshot(`
      "NAME      STATE                     AGENT   MODEL   HOST    SOURCE  WAITING FOR / CWD
      reviewer  waiting_permission 3m12s  claude  sonnet  dragon  hook    Bash: rm -rf build
      tester    working 45s               codex   -       dragon  hook    /work/other
      "
    `);
    expect(transport.requests[0]?.query).toEqual({});
  });

  it('should print the sessions as JSON with --json and ask for ended ones with --all', async () => {
    const transport = createMemoryTransport({ 'GET /api/sessions': [REVIEWER] });
    const ctx = testContext(transport);
    expect(await runCli(['session', 'ls', '--all', '--json'], ctx)).toBe(0);
    const printed = JSON.parse(ctx.streams.stdout.text) as Session[];
    expect(printed).toEqual([REVIEWER]);
    for (const field of ['name', 'state', 'since', 'source', 'agent', 'host']) expect(printed[0]).toHaveProperty(field);
    expect(transport.requests[0]?.query).toEqual({ all: true });
  });

  it('should say so when there are none', async () => {
    const ctx = testContext(createMemoryTransport({ 'GET /api/sessions': [] }));
    expect(await runCli(['session', 'ls'], ctx)).toBe(0);
    expect(ctx.streams.stderr.text).toBe('no live sessions (cb session ls --all shows ended ones)\n');
  });
});

describe('cb session new / stop / log', () => {
  it('should create with the flags, resolving --cwd against the current directory', async () => {
    const transport = createMemoryTransport({ 'POST /api/sessions': REVIEWER });
    const ctx = testContext(transport);
    expect(await runCli(['session', 'new', 'reviewer', '--agent', 'codex', '--model', 'o4', '--cwd', 'sub', '--worktree'], ctx)).toBe(0);
    expect(transport.requests[0]?.body).toEqual({ name: 'reviewer', agent: 'codex', model: 'o4', cwd: '/work/repo/sub', worktree: true });
    expect(ctx.streams.stdout.text).toBe('reviewer\n');
  });

  it('should print a refusal with its fix and exit 1', async () => {
    const taken = reply(409, { error: { code: 'SESSION_NAME_TAKEN', message: 'a live session is already called "reviewer"', fix: 'pick another name' } });
    const ctx = testContext(createMemoryTransport({ 'POST /api/sessions': taken }));
    expect(await runCli(['session', 'new', 'reviewer'], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toBe('cb: a live session is already called "reviewer"\nfix: pick another name\n');
  });

  it('should stop and print the log', async () => {
    const stopped = makeSession({ state: 'exited', endedAt: minutesAgo(0), source: 'cb', waitingFor: null });
    const log = [
      { at: '2026-01-02T02:44:05.000Z', sessionId: REVIEWER.id, kind: 'lifecycle', message: 'created: claude (sonnet) in /work/repo' },
      { at: '2026-01-02T02:44:06.000Z', sessionId: REVIEWER.id, kind: 'state', message: 'unknown → idle (session-file)' },
    ];
    const transport = createMemoryTransport({ 'DELETE /api/sessions/reviewer': stopped, 'GET /api/sessions/reviewer/log': log });
    const ctx = testContext(transport);
    expect(await runCli(['session', 'stop', 'reviewer'], ctx)).toBe(0);
    expect(await runCli(['session', 'log', 'reviewer'], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toMatchInlineSnapshot(`
      "reviewer exited (ran 20m00s)
      2026-01-02 02:44:05  lifecycle  created: claude (sonnet) in /work/repo
      2026-01-02 02:44:06  state      unknown → idle (session-file)
      "
    `);
  });
});

const WATCHER = makeSession({
  id: '01JZ8Q7W3MDDDDDDDDDDDDDDDD',
  name: 'tests',
  kind: 'watcher',
  agent: 'command',
  model: null,
  command: ['npm', 'test', '--', '--watch'],
  alerts: ['FAIL|Error'],
  state: 'working',
  since: minutesAgo(2),
  source: 'process',
  waitingFor: null,
});

describe('cb session new for a watcher (a command with alert patterns)', () => {
  it('should take the words after -- as the argv, with repeated --alert patterns', async () => {
    const transport = createMemoryTransport({ 'POST /api/sessions': WATCHER });
    const ctx = testContext(transport);
    const argv = ['session', 'new', 'tests', '--alert', 'FAIL|Error', '--alert', 'panic:', '--cwd', 'sub', '--', 'npm', 'test', '--', '--watch', '--json'];
    expect(await runCli(argv, ctx)).toBe(0);
    expect(transport.requests[0]?.body).toEqual({ name: 'tests', cwd: '/work/repo/sub', worktree: false, command: ['npm', 'test', '--', '--watch', '--json'], alerts: ['FAIL|Error', 'panic:'] });
    expect(ctx.streams.stdout.text).toBe('tests\n');
  });

  it('should run --command through sh -c', async () => {
    const transport = createMemoryTransport({ 'POST /api/sessions': WATCHER });
    const ctx = testContext(transport);
    expect(await runCli(['session', 'new', 'log', '--command', 'tail -f /var/log/app.log | grep -v DEBUG', '--alert', 'ERROR'], ctx)).toBe(0);
    expect(transport.requests[0]?.body).toMatchObject({ command: ['/bin/sh', '-c', 'tail -f /var/log/app.log | grep -v DEBUG'], alerts: ['ERROR'] });
  });

  it('should refuse a command without --, both forms, --alert without a command and --agent with one', async () => {
    const cases: [string[], string][] = [
      [['session', 'new', 'tests', 'npm', 'test'], 'cb: unexpected words after the session name: npm test\nfix: a watcher\'s command goes after --'],
      [['session', 'new', 'tests', '--command', 'make', '--', 'make'], 'cb: give the command either after -- or with --command, not both'],
      [['session', 'new', 'tests', '--alert', 'FAIL'], 'cb: --alert is for watcher sessions, which run a command'],
      [['session', 'new', 'tests', '--agent', 'codex', '--', 'make'], 'cb: --agent and --model are for agent sessions; a watcher runs its command'],
    ];
    for (const [argv, message] of cases) {
      const transport = createMemoryTransport({ 'POST /api/sessions': WATCHER });
      const ctx = testContext(transport);
      expect(await runCli(argv, ctx)).toBe(2);
      expect(ctx.streams.stderr.text).toContain(message);
      expect(transport.requests).toEqual([]);
    }
  });

  it('should print the daemon\'s refusal of a bad pattern', async () => {
    const bad = reply(400, { error: { code: 'VALIDATION_FAILED', message: 'alerts.0: alert pattern "FAIL|(" is not a valid regular expression: Invalid regular expression: /FAIL|(/: Unterminated group' } });
    const ctx = testContext(createMemoryTransport({ 'POST /api/sessions': bad }));
    expect(await runCli(['session', 'new', 'tests', '--alert', 'FAIL|(', '--', 'make'], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toContain('alert pattern "FAIL|(" is not a valid regular expression');
  });

  it('should list a watcher with its command and patterns, and show its alerts in the log', async () => {
    const log = [
      { at: '2026-01-02T02:44:05.000Z', sessionId: WATCHER.id, kind: 'lifecycle', message: "created: watcher: npm test -- --watch alerting on /FAIL|Error/ in /work/repo, tmux session sess-tests-dddddddd" },
      { at: '2026-01-02T02:44:09.000Z', sessionId: WATCHER.id, kind: 'alert', message: '/FAIL|Error/ matched: FAIL src/a.test.ts (+3 more matching lines)' },
    ];
    const transport = createMemoryTransport({ 'GET /api/sessions': [REVIEWER, WATCHER], 'GET /api/sessions/tests/log': log });
    const ctx = testContext(transport);
    expect(await runCli(['session', 'ls'], ctx)).toBe(0);
    expect(await runCli(['session', 'log', 'tests'], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toMatchInlineSnapshot(`
      "NAME      STATE                     AGENT    MODEL   HOST    SOURCE   WAITING FOR / CWD
      reviewer  waiting_permission 3m12s  claude   sonnet  dragon  hook     Bash: rm -rf build
      tests     working 2m00s             watcher  -       dragon  process  $ npm test -- --watch  alerts /FAIL|Error/
      2026-01-02 02:44:05  lifecycle  created: watcher: npm test -- --watch alerting on /FAIL|Error/ in /work/repo, tmux session sess-tests-dddddddd
      2026-01-02 02:44:09  alert      /FAIL|Error/ matched: FAIL src/a.test.ts (+3 more matching lines)
      "
    `);
  });

  it('should say plainly when text sent to a watcher was not confirmed', async () => {
    const transport = createMemoryTransport({ 'POST /api/sessions/tests/send': { delivered: true, confirmedBy: null, attempts: 1, ms: 1012, error: null } });
    const ctx = testContext(transport);
    expect(await runCli(['send', 'tests', 'a'], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toBe("sent, not confirmed (1.0 s; a watcher's command gives no receipt and did not echo it)\n");
  });
});

describe('cb send / peek / answer', () => {
  it('should send the words as one text and print the receipt', async () => {
    const transport = createMemoryTransport({ 'POST /api/sessions/reviewer/send': { delivered: true, confirmedBy: 'hook', attempts: 1, ms: 240, error: null } });
    const ctx = testContext(transport);
    expect(await runCli(['send', 'reviewer', 'look at', 'Enter and C-c'], ctx)).toBe(0);
    expect(transport.requests[0]?.body).toEqual({ text: 'look at Enter and C-c' });
    expect(ctx.streams.stdout.text).toBe('delivered (hook, 240 ms)\n');
  });

  it('should press an allowed key and refuse any other as a usage error', async () => {
    const transport = createMemoryTransport({ 'POST /api/sessions/reviewer/send': { delivered: true, confirmedBy: null, attempts: 1, ms: 3, error: null } });
    const ctx = testContext(transport);
    expect(await runCli(['send', 'reviewer', '--key', 'Escape'], ctx)).toBe(0);
    expect(transport.requests[0]?.body).toEqual({ key: 'Escape' });
    expect(ctx.streams.stdout.text).toBe('pressed Escape\n');
    expect(await runCli(['send', 'reviewer', '--key', 'C-d'], ctx)).toBe(2);
    expect(ctx.streams.stderr.text).toContain('--key: "C-d" is not an allowed key');
    expect(transport.requests.length).toBe(1);
  });

  it('should fail loudly when the delivery was not confirmed, with the receipt under --json', async () => {
    const receipt = { delivered: false, confirmedBy: null, attempts: 2, ms: 10_000, error: 'claude did not take the text as a prompt within 10s' };
    const failed = reply(502, { error: { code: 'DELIVERY_FAILED', message: receipt.error, fix: 'look at the screen: cb peek reviewer', details: receipt } });
    const ctx = testContext(createMemoryTransport({ 'POST /api/sessions/reviewer/send': failed }));
    expect(await runCli(['send', 'reviewer', 'hi'], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toBe('cb: claude did not take the text as a prompt within 10s\nfix: look at the screen: cb peek reviewer\n');
    const json = testContext(createMemoryTransport({ 'POST /api/sessions/reviewer/send': failed }));
    expect(await runCli(['send', 'reviewer', 'hi', '--json'], json)).toBe(1);
    expect(JSON.parse(json.streams.stdout.text.split('\n}\n')[0] + '\n}')).toEqual(receipt);
  });

  it('should peek the last N lines', async () => {
    const transport = createMemoryTransport({ 'GET /api/sessions/reviewer/peek': { name: 'reviewer', lines: ['> hello', '  working…'], state: 'working', at: minutesAgo(0) } });
    const ctx = testContext(transport);
    expect(await runCli(['peek', 'reviewer', '--lines', '2'], ctx)).toBe(0);
    expect(transport.requests[0]?.query).toEqual({ lines: 2 });
    expect(ctx.streams.stdout.text).toBe('> hello\n  working…\n');
    expect(await runCli(['peek', 'reviewer', '--lines', 'lots'], ctx)).toBe(2);
  });

  it('should answer yes or no, and nothing else', async () => {
    const transport = createMemoryTransport({ 'POST /api/sessions/reviewer/answer': REVIEWER });
    const ctx = testContext(transport);
    expect(await runCli(['answer', 'reviewer', 'yes'], ctx)).toBe(0);
    expect(transport.requests[0]?.body).toEqual({ answer: 'yes' });
    expect(ctx.streams.stdout.text).toBe('answered yes to: Bash: rm -rf build\n');
    expect(await runCli(['answer', 'reviewer', 'maybe'], ctx)).toBe(2);
  });
});

describe('cb attach NAME', () => {
  it("should attach to a session's tmux session by name", async () => {
    const spawn = vi.fn(async () => 0);
    const client = createClient(createMemoryTransport({ 'GET /api/sessions/reviewer': REVIEWER }));
    await attach({ client, streams: testStreams(), id: 'reviewer', tmuxSocketName: 'flotilla-abc', env: {}, spawn, hasSession: () => true });
    expect(spawn).toHaveBeenCalledWith({ command: 'tmux', args: ['-L', 'flotilla-abc', 'attach-session', '-t', '=sess-reviewer-bbbbbbbb'], env: { TMUX: undefined } });
  });

  it('should refuse an exited session', async () => {
    const client = createClient(createMemoryTransport({ 'GET /api/sessions/reviewer': makeSession({ state: 'exited' }) }));
    const attaching = attach({ client, streams: testStreams(), id: 'reviewer', tmuxSocketName: 'x', env: {}, spawn: async () => 0, hasSession: () => true });
    await expect(attaching).rejects.toThrow('session reviewer has exited');
  });
});
