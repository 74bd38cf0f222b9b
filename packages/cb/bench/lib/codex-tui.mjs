/**
 * The real Codex TUI for the session benches: a throwaway HOME seeded for the testkit's fake
 * OpenAI Responses server (the repo trusted, `approval_policy = "on-request"` so a command asking
 * for `require_escalated` gets a real approval question), a git repo to work in, and the TUI in a
 * private tmux server launched through the built `createLaunchPlanner` (`--no-daemon`,
 * `--dangerously-bypass-hook-trust`, `-c hooks.*`) and tracked by the built `startStateTracker`.
 * The same shape as claude-tui.mjs. Everything is undone by the cleanup stack: the tmux server
 * (and the TUI in it) and the temp directory.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codexBin, codexEnv, seedCodexHome, startFakeOpenAI } from '@flotilla/testkit';
import { makeWorldDirs, startTrackedAgent } from './tracked-tui.mjs';

export const CODEX_API_KEY = 'sk-openai-test';

/** A fake OpenAI server in this process, a seeded HOME and a repo under one temp dir. */
export async function startCodexWorld(name) {
  const { root, home, repo } = await makeWorldDirs(name);
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
export function startTrackedCodex(world, socket, index = 0) {
  return startTrackedAgent(world, { agent: 'codex', planner: { codexCommand: codexBin() }, socket, index });
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
