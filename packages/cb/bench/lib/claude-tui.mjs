/**
 * The real Claude Code TUI for the session benches: a throwaway HOME seeded for the testkit's fake
 * Anthropic server (no trust or API-key dialog, default permission mode), a git repo to work in,
 * and, for the tracker benches, the TUI in a private tmux server launched through the built
 * `createLaunchPlanner` and tracked by the built `startStateTracker`. Everything is undone by the
 * cleanup stack: the tmux server (and the TUIs in it) and the temp directory.
 */
import { claudeBin, claudeEnv, seedClaudeHome, startFakeAnthropic } from '@flotilla/testkit';
import { makeWorldDirs, startTrackedAgent } from './tracked-tui.mjs';

export const API_KEY = 'sk-ant-test-0123456789abcdefghijklmnop';

/** Waits for `check` to return a value (not undefined/false), polling every 25 ms; throws after `timeoutMs`. */
export async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${typeof what === 'function' ? await what() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A fake Anthropic server in this process, a seeded HOME and a repo under one temp dir. */
export async function startClaudeWorld(name) {
  const { root, home, repo } = await makeWorldDirs(name);
  await seedClaudeHome(home, { apiKey: API_KEY, cwd: repo, bypass: false });
  const api = await startFakeAnthropic([]);
  const env = claudeEnv({ home, baseUrl: api.url, apiKey: API_KEY, maxRetries: 2 });
  return { root, home, repo, api, env, mains: () => api.requests.filter((r) => r.kind === 'main') };
}

/**
 * One real Claude TUI in its own tmux server (`socket`), tracked by startStateTracker; `changes`
 * gets every onChange with `seenAt` (epoch ms).
 */
export function startTrackedClaude(world, socket, index = 0) {
  return startTrackedAgent(world, { agent: 'claude', planner: { claudeCommand: claudeBin() }, socket, index });
}

/**
 * A bench home (see harness.mjs) whose daemon launches the real Claude TUI against `world`'s fake
 * server: the Claude variables in the config's `env`, the HOME seeded with the repo trusted, and
 * the testkit's `claude` link on the daemon's PATH. Extra config (custom agents) is merged in.
 */
export async function claudeDaemonHome(name, world, extraConfig = {}) {
  const { createBenchHome } = await import('./harness.mjs');
  const { agentBinDir } = await import('@flotilla/testkit');
  const agentVars = Object.fromEntries(Object.entries(world.env).filter(([key]) => !['HOME', 'PATH', 'TZ', 'LANG'].includes(key)));
  const bench = createBenchHome(name, { ...extraConfig, env: agentVars });
  await seedClaudeHome(bench.env.HOME, { apiKey: API_KEY, cwd: world.repo, bypass: false });
  bench.env.PATH = `${agentBinDir()}:${bench.env.PATH}`;
  return bench;
}
