import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux, shellQuote, type Tmux } from '@flotilla/kit/tmux';
import { isProtocolError, type Session } from '@flotilla/protocol';
import { claudeBin, claudeEnv, makeGitRepo, makeTempDir, seedClaudeHome, startFakeAnthropic, type AnthropicScenario, type FakeServer, type TempDir } from '@flotilla/testkit';
import { createSessionManager, type SessionManager } from '../manager.js';
import { startStateTracker } from '../signals/index.js';
import { CLAUDE_TEST_KEY } from '../signals/testing.js';
import { eventually, startSessionFixture, type SessionFixture } from '../test-support.js';
import { createPaneTmux } from './pane-tmux.js';
import { agentOfCommand } from './processes.js';
import { startDiscovery, type Discovery } from './service.js';
import { claudeSupervisorRunning, userTmuxSockets } from './sockets.js';

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string; fix: string }> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!isProtocolError(error)) throw new Error(`not a protocol error: ${String(error)}`);
  return { code: error.code, message: error.message, fix: error.fix ?? '' };
}

async function paneIdOf(tmux: Tmux, target: string): Promise<string> {
  const result = await tmux.run(['display-message', '-p', '-t', target, '#{pane_id}']);
  return result.stdout.trim();
}

describe('agentOfCommand', () => {
  it('should know Claude and Codex by their full command line, node scripts included', () => {
    expect(agentOfCommand(['claude'])).toBe('claude');
    expect(agentOfCommand(['/usr/lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe', '--model', 'sonnet'])).toBe('claude');
    expect(agentOfCommand(['node', '/opt/x/node_modules/@anthropic-ai/claude-code/cli.js'])).toBe('claude');
    expect(agentOfCommand(['/usr/bin/node', '--no-warnings', '/home/u/.npm/bin/codex'])).toBe('codex');
    expect(agentOfCommand(['node', '/usr/lib/node_modules/@openai/codex/bin/codex.js', 'resume'])).toBe('codex');
    expect(agentOfCommand(['claude', 'agents', '--json'])).toBeNull();
    expect(agentOfCommand(['claude', 'daemon', 'run', '--origin', 'transient'])).toBeNull();
    expect(agentOfCommand(['-bash'])).toBeNull();
    expect(agentOfCommand(['vim', 'claude.md'])).toBeNull();
    expect(agentOfCommand(['node', 'server.js'])).toBeNull();
  });
});

describe('the user servers and the Claude supervisor, by their sockets', () => {
  let dir: TempDir;
  const servers: Server[] = [];
  const listen = (path: string) =>
    new Promise<void>((resolve) => {
      const server = createServer();
      servers.push(server);
      server.listen(path, resolve);
    });
  beforeAll(async () => {
    dir = await makeTempDir('cb-disc-sockets-');
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await dir[Symbol.asyncDispose]();
  });

  it("should list live tmux sockets, never Flotilla's own or another home's", async () => {
    const tmuxDir = join(dir.path, 'tmux-0');
    mkdirSync(tmuxDir);
    for (const name of ['default', 'work', 'flotilla-0123456789ab', 'mine']) await listen(join(tmuxDir, name));
    writeFileSync(join(tmuxDir, 'not-a-socket'), '');
    expect((await userTmuxSockets(tmuxDir, 'mine')).sort()).toEqual(['default', 'work']);
    expect(await userTmuxSockets(join(dir.path, 'none'), 'mine')).toEqual([]);
  });

  it('should see a supervisor only when one of its sockets answers', async () => {
    const cc = join(dir.path, 'cc-daemon-0');
    expect(await claudeSupervisorRunning(cc)).toBe(false);
    mkdirSync(cc);
    writeFileSync(join(cc, 'stale.sock'), '');
    expect(await claudeSupervisorRunning(cc)).toBe(false);
    await listen(join(cc, 'control.sock'));
    expect(await claudeSupervisorRunning(cc)).toBe(true);
  });
});

describe("Claude's background sessions (claude agents --json)", () => {
  let fixture: SessionFixture;
  let manager: SessionManager;
  let dir: TempDir;
  beforeAll(async () => {
    fixture = startSessionFixture();
    manager = createSessionManager(fixture.deps);
    dir = await makeTempDir('cb-disc-bg-');
  });
  afterAll(async () => {
    manager.close();
    await fixture[Symbol.asyncDispose]();
    await dir[Symbol.asyncDispose]();
  });

  it('should never run claude agents while no supervisor runs (it would start one)', async () => {
    let calls = 0;
    const discovery = startDiscovery({
      deps: fixture.deps,
      home: dir.path,
      intervalMs: 60_000,
      tmuxSockets: async () => [],
      supervisorRunning: () => claudeSupervisorRunning(join(dir.path, 'cc-daemon-0')),
      runClaudeAgents: async () => {
        calls++;
        return '[]';
      },
      claudeAgentsEveryMs: 0,
    });
    try {
      for (let i = 0; i < 3; i++) await discovery.refresh();
      expect(calls).toBe(0);
      expect(discovery.claudeAgentsCalls()).toBe(0);
    } finally {
      discovery.close();
    }
  });

  it('should list background sessions once the supervisor runs, read-only, and refuse to adopt them with the reason', async () => {
    const listing = [
      { pid: 4242, cwd: '/w', kind: 'interactive', sessionId: 'aaaaaaaa-0000-0000-0000-000000000000', status: 'idle' },
      { id: 'bg7f3a9c21', cwd: '/w/repo', kind: 'background', startedAt: 1, sessionId: 'bbbbbbbb-0000-0000-0000-000000000000', name: 'fix tests', state: 'working' },
    ];
    let running = true;
    const discovery = startDiscovery({
      deps: fixture.deps,
      home: dir.path,
      intervalMs: 60_000,
      tmuxSockets: async () => [],
      supervisorRunning: async () => running,
      runClaudeAgents: async () => JSON.stringify(listing),
      claudeAgentsEveryMs: 0,
    });
    try {
      const bg = await eventually(async () => {
        await discovery.refresh();
        return (await manager.list({})).find((s) => s.name === 'claude-bg-bg7f3a9c21');
      }, 'the background session');
      expect(bg).toMatchObject({ external: true, agent: 'claude', state: 'working', source: 'claude-agents', cwd: '/w/repo', host: 'test', tmuxSession: '', pid: null });
      // The interactive entry is left to the session files (none here).
      expect((await manager.list({})).filter((s) => s.external)).toHaveLength(1);
      const adopt = await errorOf(manager.adopt(bg.name));
      expect(adopt.code).toBe('CONFLICT');
      expect(adopt.message).toMatch(/background session \(claude --bg\).*cannot be adopted into tmux/);
      expect(adopt.fix).toMatch(/claude --resume bbbbbbbb-0000-0000-0000-000000000000 in a tmux pane/);
      expect((await errorOf(manager.send(bg.name, { text: 'hi' }))).message).toMatch(/started outside Flotilla and is read-only/);

      // The supervisor stops: its sessions are gone.
      running = false;
      await discovery.refresh();
      expect((await manager.get(bg.name)).state).toBe('exited');
    } finally {
      discovery.close();
    }
  });
});

/** Scripted model latency: long enough that `working` is seen by a discovery pass. */
const SLOW_TURN_MS = 3000;

describe('discovery and adoption with the real Claude Code TUI in a tmux started by hand (slow)', () => {
  let api: FakeServer<AnthropicScenario>;
  let dir: TempDir;
  let home: string;
  let fixture: SessionFixture;
  let manager: SessionManager;
  let discovery: Discovery;
  let user: Tmux;
  let claudePane: string;
  let shellPane: string;
  let fakePane: string;

  const userSocket = `cbdisc-user-${process.pid}`;
  const mine = async (): Promise<Session[]> => (await manager.list({})).filter((s) => s.tmuxSocket === userSocket);
  const discovered = async (pane: string, check: (s: Session) => boolean = () => true, what = `a session in pane ${pane}`): Promise<Session> =>
    eventually(
      async () => {
        await discovery.refresh();
        return (await mine()).find((s) => s.tmuxSession === pane && check(s));
      },
      what,
      30_000,
    );

  beforeAll(async () => {
    api = await startFakeAnthropic([]);
    dir = await makeTempDir('cb-disc-');
    home = join(dir.path, 'home');
    const repo = join(dir.path, 'repo');
    for (const d of [home, repo, join(dir.path, 'bin')]) mkdirSync(d, { recursive: true });
    await makeGitRepo(repo);
    await seedClaudeHome(home, { apiKey: CLAUDE_TEST_KEY, cwd: repo, bypass: false });
    // A "claude" that is a node script: found by its full command line.
    const fakeClaude = join(dir.path, 'bin', 'claude');
    writeFileSync(fakeClaude, "process.stdout.write('fake claude\\n'); setInterval(() => {}, 1000);\n");

    // The user's own tmux server: Claude started by hand under a shell (no Flotilla variables), a plain shell, the fake.
    user = createTmux({ socketName: userSocket });
    const env = { ...claudeEnv({ home, baseUrl: api.url, apiKey: CLAUDE_TEST_KEY, maxRetries: 0 }), TERM: 'xterm-256color' };
    const claudeLine = `${shellQuote(['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), claudeBin()])}; exec sleep 100000`;
    await user.newSession({ name: 'work', cwd: repo, command: ['/bin/sh', '-c', claudeLine], width: 200, height: 50 });
    claudePane = await paneIdOf(user, '=work:0');
    await user.run(['new-window', '-d', '-t', '=work:', '/bin/sh']);
    shellPane = await paneIdOf(user, '=work:1');
    await user.run(['new-window', '-d', '-t', '=work:', `exec ${shellQuote([process.execPath, fakeClaude])}`]);
    fakePane = await paneIdOf(user, '=work:2');

    fixture = startSessionFixture();
    // The real tracker (the fixture's default is a screen-only stand-in).
    const deps = { ...fixture.deps, startTracker: startStateTracker, env: { ...process.env, HOME: home } };
    manager = createSessionManager(deps);
    discovery = startDiscovery({ deps, home, intervalMs: 60_000, supervisorRunning: async () => false, runClaudeAgents: async () => Promise.reject(new Error('must not run')) });
    const screen = () => user.capturePane('work').catch(() => '');
    await eventually(async () => /^❯/m.test(await screen()), 'the Claude prompt', 30_000);
  });

  afterAll(async () => {
    discovery?.close();
    manager?.close();
    await user?.killServer().catch(() => false);
    await fixture?.[Symbol.asyncDispose]();
    await api?.close();
    await dir?.[Symbol.asyncDispose]();
  });

  it('should show the Claude pane read-only with its state, not the plain shell, and not its own sessions twice', async () => {
    const own = await manager.create({ name: 'own', agent: 'paster', cwd: dir.path, worktree: false, alerts: [] });
    // Idle with Claude's own session known. Which signal said idle first depends on the machine's
    // speed: Claude writes its session file late under load, and the screen shows the prompt first.
    const claude = await discovered(claudePane, (s) => s.state === 'idle' && Boolean(s.agentSessionId), 'the Claude pane, idle, its session known');
    expect(claude).toMatchObject({ external: true, agent: 'claude', host: 'test', name: `${userSocket}.work.0.0`, tmuxSocket: userSocket });
    expect(['session-file', 'screen']).toContain(claude.source);
    expect(claude.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(claude.pid).toBeGreaterThan(0);
    const fake = await discovered(fakePane);
    expect(fake).toMatchObject({ external: true, agent: 'claude', name: `${userSocket}.work.2.0` });
    expect((await mine()).map((s) => s.tmuxSession).sort()).toEqual([claudePane, fakePane].sort());
    expect((await mine()).some((s) => s.tmuxSession === shellPane)).toBe(false);
    // Flotilla's own session: once, managed, never as a discovered one.
    const all = await manager.list({});
    expect(all.filter((s) => s.name === 'own')).toEqual([expect.objectContaining({ id: own.id, external: false })]);
    expect(all.filter((s) => s.external && s.pid === own.pid)).toEqual([]);
    expect((await manager.log(claude.name))[0]?.message).toMatch(new RegExp(`discovered claude in tmux pane ${claudePane}.*read-only until: cb session adopt ${claude.name.replace(/\./g, '\\.')}`));
    await manager.stop('own');
  });

  it('should follow a turn started by hand (working, then waiting_input) and a permission question', async () => {
    const pane = createPaneTmux({ socketName: userSocket, paneId: claudePane, agentPid: null });
    api.setScenario([{ text: 'A slow plain answer.', delayMs: SLOW_TURN_MS }]);
    await pane.pasteText(claudePane, 'Answer slowly.', { enter: true, enterDelayMs: 150 });
    await discovered(claudePane, (s) => s.state === 'working', 'working');
    await discovered(claudePane, (s) => s.state === 'waiting_input', 'waiting_input');

    api.setScenario([
      { text: 'I will run a command.', toolUses: [{ name: 'Bash', input: { command: 'echo hi > perm.txt', description: 'Write perm.txt' } }] },
      { text: 'Done.', delayMs: 300 },
    ]);
    await pane.pasteText(claudePane, 'Run a command.', { enter: true, enterDelayMs: 150 });
    const asking = await discovered(claudePane, (s) => s.state === 'waiting_permission', 'waiting_permission');
    expect(asking.waitingFor).toBeTruthy();
    await pane.sendKey(claudePane, 'Escape');
    await discovered(claudePane, (s) => s.state === 'waiting_input', 'waiting_input after the rejection');
  });

  it('should let peek read an external pane and refuse send, answer and stop until it is adopted', async () => {
    const claude = await discovered(claudePane);
    expect((await manager.peek(claude.name, 50)).lines.some((l) => l.startsWith('❯'))).toBe(true);
    for (const refused of [manager.send(claude.name, { text: 'hello' }), manager.answer(claude.name, 'yes'), manager.stop(claude.name)]) {
      const error = await errorOf(refused);
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toMatch(/started outside Flotilla and is read-only/);
      expect(error.fix).toBe(`adopt it first: cb session adopt ${claude.name}`);
    }
  });

  it('should mark a discovered session exited when its pane is killed', async () => {
    const fake = await discovered(fakePane);
    await user.run(['kill-pane', '-t', fakePane]);
    await eventually(async () => {
      await discovery.refresh();
      return (await manager.get(fake.name)).state === 'exited';
    }, 'the fake to be exited');
    expect((await mine()).map((s) => s.tmuxSession)).toEqual([claudePane]);
    expect((await manager.log(fake.name)).at(-1)?.message).toMatch(/→ exited \(process\) — no longer found/);
  });

  it('should adopt the Claude pane: one session, no hooks said in the log, and send works with a receipt', async () => {
    const claude = await discovered(claudePane);
    const adopted = await manager.adopt(claude.name);
    expect(adopted).toMatchObject({ id: claude.id, external: false, tmuxSocket: userSocket, tmuxSession: claudePane });
    expect((await manager.log(claude.name)).at(-1)?.message).toMatch(/^adopted: claude in tmux pane .* no hooks, since the agent was not started with Flotilla's settings/);
    expect((await errorOf(manager.adopt(claude.name))).message).toMatch(/already managed/);
    // Discovery passes again: the adopted pane is not discovered a second time.
    for (let i = 0; i < 2; i++) await discovery.refresh();
    expect((await mine()).map((s) => [s.id, s.external])).toEqual([[claude.id, false]]);

    api.setScenario([{ text: 'Adopted and answering.', delayMs: 1500 }]);
    const mainBefore = api.requests.filter((r) => r.kind === 'main').length;
    const receipt = await manager.send(claude.name, { text: 'Hello from Flotilla.' });
    expect(receipt).toMatchObject({ delivered: true, confirmedBy: 'transcript', attempts: 1 });
    await eventually(async () => api.requests.filter((r) => r.kind === 'main').length > mainBefore, 'the adopted turn at the model');
    await eventually(async () => (await manager.get(claude.name)).state === 'waiting_input' || null, 'waiting_input after the adopted turn', 20_000);
    // Exactly one turn reached the model with the text.
    expect(api.requests.filter((r) => r.kind === 'main' && JSON.stringify(r.body).includes('Hello from Flotilla.'))).toHaveLength(1);

    // Stop: the agent's own /exit; the user's pane (its shell goes on) is left alone.
    const stopped = await manager.stop(claude.name);
    expect(stopped.state).toBe('exited');
    expect((await manager.log(claude.name)).at(-1)?.message).toMatch(/→ exited \(cb\) — stopped by cb session stop$/);
    expect(await paneIdOf(user, claudePane)).toBe(claudePane);
  });
});
