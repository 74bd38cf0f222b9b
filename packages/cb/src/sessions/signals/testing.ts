/**
 * Test support for the signal suites (excluded from the build): a real agent TUI in a private
 * tmux server, launched through `planLaunch`, tracked by `startStateTracker`, with every state
 * change timestamped when the tracker reported it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTmux, type Tmux } from '@flotilla/kit/tmux';
import type { SessionState } from '@flotilla/protocol';
import { claudeBin, claudeEnv, makeGitRepo, makeTempDir, seedClaudeHome, type TempDir } from '@flotilla/testkit';
import type { LaunchPlan, StateChange, StateTracker } from '../contract.js';
import { createLaunchPlanner } from './launch.js';
import { startStateTracker } from './tracker.js';

export const TMUX_SESSION = 'agent';

export interface SeenChange extends StateChange {
  /** When the tracker called onChange (epoch ms). */
  seenAt: number;
}

export interface TuiRun extends AsyncDisposable {
  dir: TempDir;
  home: string;
  repo: string;
  sessionDir: string;
  tmux: Tmux;
  changes: SeenChange[];
  tracker: StateTracker;
  /** Latency samples (tracker report minus ground truth) and the source that told, by transition name. */
  latencies: Map<string, LatencySample[]>;
  screen(): Promise<string>;
  /** Bracketed paste plus Enter, as `cb send` does; returns the time the text left. */
  send(text: string): Promise<number>;
  /** Types a slash command and presses Enter; returns the time of Enter. */
  command(text: string): Promise<number>;
  key(key: string): Promise<number>;
  /**
   * Waits for a change to `state` reported after change number `fromIndex`, then records its
   * latency against the ground-truth time `truth()` under `name` (null: nothing to measure against).
   */
  expectState(name: string, state: SessionState, fromIndex: number, truth: () => number | null | Promise<number | null>, timeoutMs?: number): Promise<SeenChange>;
}

export interface LatencySample {
  ms: number;
  source: string;
}

export interface TuiRunOptions {
  agent: string;
  prefix: string;
  /** Seeds the fresh HOME given the repo. */
  seed: (home: string, repo: string) => Promise<void>;
  plan: (sessionDir: string, repo: string) => LaunchPlan;
  /** The agent's complete environment (the plan's variables are added). */
  env: (home: string) => Record<string, string>;
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, describe: () => string | Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function startTuiRun(options: TuiRunOptions): Promise<TuiRun> {
  const dir = await makeTempDir(`${options.prefix}-`);
  const home = join(dir.path, 'home');
  const repo = join(dir.path, 'repo');
  const sessionDir = join(dir.path, 'session');
  for (const d of [home, repo, sessionDir]) await mkdir(d, { recursive: true, mode: 0o700 });
  await makeGitRepo(repo);
  await options.seed(home, repo);
  const plan = options.plan(sessionDir, repo);
  for (const file of plan.files) await writeFile(file.path, file.content, { mode: file.mode });
  const tmux = createTmux({ socketName: `${options.prefix}-${process.pid}` });
  const env = { ...options.env(home), ...plan.env, TERM: 'xterm-256color' };
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  await tmux.newSession({ name: TMUX_SESSION, cwd: repo, command: ['env', '-i', ...envArgs, ...plan.argv], width: 200, height: 50 });
  const changes: SeenChange[] = [];
  const tracker = startStateTracker({
    sessionId: 'fl-test-session',
    agent: options.agent,
    cwd: repo,
    dir: sessionDir,
    tmux,
    tmuxSession: TMUX_SESSION,
    home,
    initial: null,
    onChange: (change) => changes.push({ ...change, seenAt: Date.now() }),
  });
  const latencies = new Map<string, LatencySample[]>();
  const screen = () => tmux.capturePane(TMUX_SESSION).catch(() => '');
  const describeState = async () => `changes: ${JSON.stringify(changes.map((c) => [c.state, c.source, c.waitingFor]))}\nscreen:\n${await screen()}`;
  const run: TuiRun = {
    dir,
    home,
    repo,
    sessionDir,
    tmux,
    changes,
    tracker,
    latencies,
    screen,
    async send(text) {
      const at = Date.now();
      await tmux.pasteText(TMUX_SESSION, text, { enter: true, enterDelayMs: 150 });
      return at;
    },
    async command(text) {
      await tmux.sendKeysLiteral(TMUX_SESSION, text);
      await new Promise((resolve) => setTimeout(resolve, 400));
      return run.key('Enter');
    },
    async key(key) {
      const at = Date.now();
      await tmux.sendKey(TMUX_SESSION, key);
      return at;
    },
    async expectState(name, state, fromIndex, truth, timeoutMs = 20_000) {
      const change = await waitFor(() => changes.slice(fromIndex).find((c) => c.state === state), timeoutMs, async () => `${name}: no ${state}\n${await describeState()}`);
      const truthAt = await truth();
      if (truthAt !== null) latencies.set(name, [...(latencies.get(name) ?? []), { ms: change.seenAt - truthAt, source: change.source }]);
      return change;
    },
    async [Symbol.asyncDispose]() {
      tracker.stop();
      await tmux.killServer().catch(() => false);
      await dir[Symbol.asyncDispose]();
    },
  };
  return run;
}

/** `name: p50 / max ms (n) sources` lines for the latency report. */
export function latencyReport(title: string, latencies: Map<string, LatencySample[]>): string {
  const line = (name: string, samples: LatencySample[]) => {
    const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
    const p50 = sorted[Math.floor((sorted.length - 1) / 2)];
    const sources = [...new Set(samples.map((s) => s.source))].join(', ');
    return `  ${name.padEnd(36)} p50 ${String(p50).padStart(6)} ms   max ${String(sorted.at(-1)).padStart(6)} ms   (n=${sorted.length}; ${sources})`;
  };
  const all = [...latencies.values()].flat();
  return [`${title}: tracker report minus ground truth (negative = before)`, ...[...latencies].map(([n, v]) => line(n, v)), line('ALL', all)].join('\n');
}

/** The fake API key the Claude suites seed and pass (its last 20 characters are what Claude approves). */
export const CLAUDE_TEST_KEY = 'sk-ant-test-0123456789abcdefghijklmnop';

/**
 * The real Claude Code TUI against the fake Anthropic API at `baseUrl`, seeded (trusted folder,
 * approved key, default permissions) and ready: SessionStart (→ idle) fires before the input box
 * takes keys, so this waits for the prompt and a second more — an Enter sent at once is lost.
 */
export async function startReadyClaudeRun(baseUrl: string, prefix: string): Promise<TuiRun> {
  const run = await startTuiRun({
    agent: 'claude',
    prefix,
    seed: (home, repo) => seedClaudeHome(home, { apiKey: CLAUDE_TEST_KEY, cwd: repo, bypass: false }),
    plan: (dir, repo) =>
      createLaunchPlanner({ claudeCommand: claudeBin() })({ sessionId: 'fl-test-session', agent: 'claude', model: null, cwd: repo, dir, resumeAgentSessionId: null }),
    env: (home) => claudeEnv({ home, baseUrl, apiKey: CLAUDE_TEST_KEY, maxRetries: 2 }),
  });
  await waitFor(async () => /^❯/m.test(await run.screen()), 30_000, run.screen);
  // Ready is the tracker's own startup idle too: on a loaded machine it can come after the prompt is
  // drawn, and a test that records changes from here would see it as the first change of its turn.
  await run.expectState('startup → idle', 'idle', 0, () => null, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return run;
}
