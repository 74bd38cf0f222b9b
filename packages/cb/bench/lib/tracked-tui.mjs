/**
 * One real agent TUI (Claude Code or Codex) in its own tmux server, launched through the built
 * `createLaunchPlanner` and tracked by the built `startStateTracker`, as the daemon would; shared
 * by claude-tui.mjs and codex-tui.mjs. The tmux server and the tracker are undone by the cleanup
 * stack.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmux } from '@flotilla/kit/tmux';
import { makeGitRepo } from '@flotilla/testkit';
import { createLaunchPlanner, startStateTracker } from '../../dist/sessions/signals/index.js';
import { onCleanup, removeDir } from './cleanup.mjs';

/**
 * `agent` is `claude` or `codex`; `planner` the launch planner's options (its command);
 * `changes` gets every onChange with `seenAt` (epoch ms).
 */
export async function startTrackedAgent(world, { agent, planner, socket, index = 0 }) {
  const sessionDir = join(world.root, `session-${index}`);
  mkdirSync(sessionDir, { recursive: true, mode: 0o700 });
  const sessionId = `bench-${index}`;
  const plan = createLaunchPlanner(planner)({ sessionId, agent, model: null, cwd: world.repo, dir: sessionDir, resumeAgentSessionId: null });
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
    agent,
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

/** A temp dir (removed by the cleanup stack) with an empty HOME (0700) and a git repo to work in. */
export async function makeWorldDirs(name) {
  const root = mkdtempSync(join(tmpdir(), `cb-bench-${name}-`));
  onCleanup(() => removeDir(root));
  const home = join(root, 'home');
  const repo = join(root, 'repo');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(repo, { recursive: true });
  await makeGitRepo(repo);
  return { root, home, repo };
}
