/**
 * Fixtures for session tests: a real store, a private tmux server, and a custom agent (the
 * paste-agent fixture) behind the screen tracker. Used by `*.test.ts` only.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTmux, type Tmux } from '@flotilla/kit/tmux';
import { createAgentRegistry } from '../agents/registry.js';
import { parseConfig, type Config } from '../config.js';
import { homePaths } from '../home.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { JobStore } from '../store/types.js';
import type { PromptReceipt, StartTracker, StateChange, StateTracker, TrackerOptions } from './contract.js';
import { createLaunchPlanner } from './signals/index.js';
import type { SessionDeps } from './deps.js';
import { setTimeout as sleep } from 'node:timers/promises';

export const PASTE_AGENT = fileURLToPath(new URL('./fixtures/paste-agent.mjs', import.meta.url));

export interface SessionFixture extends AsyncDisposable {
  root: string;
  deps: SessionDeps;
  store: JobStore;
  tmux: Tmux;
  /** A fresh working directory for one session. */
  workdir(name: string): string;
  /** The turns the paste-agent in `dir` recorded. */
  turns(dir: string): { text: string; pasted: boolean }[];
  /** Pushes a state change through the tracker of the session with this tmux name, as a signal would. */
  signal(tmuxSession: string, change: Partial<StateChange> & Pick<StateChange, 'state'>): void;
}

export function sessionConfig(): Config {
  const parsed = parseConfig({ agents: { paster: { argv: [process.execPath, PASTE_AGENT] } } });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.value;
}

export function startSessionFixture(): SessionFixture {
  const root = mkdtempSync(join(tmpdir(), 'cb-sessions-'));
  const paths = homePaths(join(root, 'home'));
  mkdirSync(paths.home, { recursive: true });
  const store = createSqliteStore({ path: paths.db, host: 'test' });
  const tmux = createTmux({ socketName: `cb-sessions-${process.pid}-${randomBytes(4).toString('hex')}` });
  const trackers = new Map<string, TrackerOptions>();
  const startTracker: StartTracker = (options) => {
    trackers.set(options.tmuxSession, options);
    return startScreenTracker(options);
  };
  const config = sessionConfig();
  const deps: SessionDeps = {
    host: 'test',
    paths,
    config,
    store,
    bus: { notify: () => undefined },
    tmux,
    agents: createAgentRegistry(config.agents),
    env: process.env,
    now: () => new Date(),
    planLaunch: createLaunchPlanner({ customAgents: { paster: { argv: [process.execPath, PASTE_AGENT] } } }),
    startTracker,
    timing: { stopGraceMs: 2_000, confirmMs: 3_000, livenessMs: 200, enterDelayMs: 50 },
  };
  return {
    root,
    deps,
    store,
    tmux,
    workdir(name) {
      const dir = join(root, 'work', name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    turns(dir) {
      try {
        return readFileSync(join(dir, 'turns.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; pasted: boolean });
      } catch {
        return [];
      }
    },
    signal(tmuxSession, change) {
      const options = trackers.get(tmuxSession);
      if (!options) throw new Error(`no tracker for ${tmuxSession}`);
      options.onChange({ source: 'hook', at: new Date().toISOString(), waitingFor: null, ...change });
    },
    async [Symbol.asyncDispose]() {
      await tmux.killServer();
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** How often the screen is read while waiting for a prompt to show (the spike polled at 100 ms). */
const SCREEN_POLL_MS = 100;
/** Scrollback read when looking for a prompt: a long turn may scroll it off the screen. */
const SCREEN_LINES = 200;

/** Tabs as four spaces (Claude's composer does the same), surrounding blanks trimmed. */
function normalizePrompt(text: string): string {
  return text.replace(/\t/g, '    ').trim();
}

/** The last non-empty line of the prompt: what a screen shows of it even when the rest scrolled away. */
function screenNeedle(text: string): string {
  const lines = normalizePrompt(text).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/**
 * A deterministic tracker for tests: `idle` at start, a prompt is received when its last line shows
 * on the screen. Exits are left to the manager's liveness check.
 */
export const startScreenTracker: StartTracker = (options) => {
  let current: StateChange = options.initial ?? { state: 'idle', source: 'process', at: new Date().toISOString(), waitingFor: null };
  let stopped = false;
  if (!options.initial) setImmediate(() => !stopped && options.onChange(current));

  async function onScreen(text: string): Promise<boolean> {
    const needle = screenNeedle(text);
    if (!needle) return false;
    try {
      const screen = await options.tmux.capturePane(options.tmuxSession, { lines: SCREEN_LINES });
      return screen.split('\n').some((line) => line.includes(needle));
    } catch {
      return false;
    }
  }

  const tracker: StateTracker = {
    current: () => current,
    async waitForPrompt(text, _sinceMs, timeoutMs): Promise<PromptReceipt | null> {
      const deadline = Date.now() + timeoutMs;
      while (!stopped) {
        if (await onScreen(text)) return { confirmedBy: 'screen', at: new Date().toISOString() };
        if (Date.now() >= deadline) return null;
        await sleep(SCREEN_POLL_MS);
      }
      return null;
    },
    promptSeen: (text) => onScreen(text),
    stop() {
      stopped = true;
    },
  };
  return tracker;
};
