/**
 * The real Codex TUI for the session benches: a throwaway HOME seeded for the testkit's fake
 * OpenAI Responses server (the repo trusted, `approval_policy = "on-request"` so a command asking
 * for `require_escalated` gets a real approval question), a git repo to work in, and the TUI in a
 * private tmux server launched through the built `createLaunchPlanner` (`--no-daemon`,
 * `--dangerously-bypass-hook-trust`, `-c hooks.*`) and tracked by the built `startStateTracker`.
 * The same shape as claude-tui.mjs. Everything is undone by the cleanup stack: the tmux server
 * (and the TUI in it) and the temp directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmux } from '@flotilla/kit/tmux';
import { codexBin, codexEnv, makeGitRepo, seedCodexHome, startFakeOpenAI } from '@flotilla/testkit';
import { createLaunchPlanner, startStateTracker } from '../../dist/sessions/signals/index.js';
import { onCleanup, sleepSync } from './cleanup.mjs';

export const CODEX_API_KEY = 'sk-openai-test';

/** Removes a temp dir; a TUI still exiting after its tmux server was killed may write one last file. */
function removeDir(dir) {
  for (let i = 0; i < 10; i++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch {
      sleepSync(200);
    }
  }
}

/** A fake OpenAI server in this process, a seeded HOME and a repo under one temp dir. */
export async function startCodexWorld(name) {
  const root = mkdtempSync(join(tmpdir(), `cb-bench-${name}-`));
  onCleanup(() => removeDir(root));
  const home = join(root, 'home');
  const repo = join(root, 'repo');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(repo, { recursive: true });
  await makeGitRepo(repo);
  const api = await startFakeOpenAI([]);
  await seedCodexHome(home, { baseUrl: api.url, cwds: [repo], requestMaxRetries: 1, streamMaxRetries: 1 });
  // A top-level key, so before the tables: `require_escalated` then asks a real approval question.
  const config = join(home, '.codex', 'config.toml');
  writeFileSync(config, `approval_policy = "on-request"\n${readFileSync(config, 'utf8')}`);
  const env = codexEnv({ home, apiKey: CODEX_API_KEY });
  return { root, home, repo, api, env, mains: () => api.requests.filter((r) => r.kind === 'main') };
}

/**
 * One real Codex TUI in its own tmux server (`socket`), tracked by startStateTracker; `changes`
 * gets every onChange with `seenAt` (epoch ms).
 */
export async function startTrackedCodex(world, socket, index = 0) {
  const sessionDir = join(world.root, `session-${index}`);
  mkdirSync(sessionDir, { recursive: true, mode: 0o700 });
  const sessionId = `bench-${index}`;
  const plan = createLaunchPlanner({ codexCommand: codexBin() })({ sessionId, agent: 'codex', model: null, cwd: world.repo, dir: sessionDir, resumeAgentSessionId: null });
  for (const file of plan.files) writeFileSync(file.path, file.content, { mode: file.mode });
  const tmux = createTmux({ socketName: socket });
  onCleanup(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    // kill-server leaves the socket file behind.
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid()}`, socket), { force: true });
  });
  const env = { ...world.env, ...plan.env, TERM: 'xterm-256color' };
  const name = `agent-${index}`;
  await tmux.newSession({ name, cwd: world.repo, command: ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...plan.argv], width: 200, height: 50 });
  const changes = [];
  const tracker = startStateTracker({
    sessionId,
    agent: 'codex',
    cwd: world.repo,
    dir: sessionDir,
    tmux,
    tmuxSession: name,
    home: world.home,
    initial: null,
    onChange: (change) => changes.push({ ...change, seenAt: Date.now() }),
  });
  onCleanup(() => tracker.stop());
  const screen = () => tmux.capturePane(name).catch(() => '');
  return { tmux, name, tracker, changes, screen, sessionDir };
}

/**
 * What session-states.mjs needs to drive Codex: its ready screen, the scripted steps (OpenAI
 * Responses shapes) of a plain and a permission turn, and the approval dialog's marker.
 */
export const codexBench = {
  title: 'session-states (real Codex TUI, startStateTracker)',
  startWorld: startCodexWorld,
  startTracked: startTrackedCodex,
  /** The composer `› Ask Codex…` (shown while working too, but at start it means the TUI is up). */
  ready: /^› /m,
  plainSteps: (turn, delayMs) => [{ text: `Plain answer ${turn}.`, delayMs }],
  /**
   * `exec_command` with `sandbox_permissions: "require_escalated"` under `approval_policy =
   * "on-request"`: Codex asks `Would you like to run the following command?` (Enter = `1. Yes, proceed`).
   */
  permissionSteps: (turn, toolDelayMs, delayMs) => [
    {
      text: 'I will run a command.',
      delayMs: toolDelayMs,
      toolUses: [{ name: 'exec_command', input: { cmd: `echo ${turn} > perm-${turn}.txt`, sandbox_permissions: 'require_escalated', justification: `May I write perm-${turn}.txt?` } }],
    },
    { text: 'Ran the command.', delayMs },
  ],
  permissionDialog: /Would you like to run the following command\?/,
};
