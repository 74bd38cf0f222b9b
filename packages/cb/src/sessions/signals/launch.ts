import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '@flotilla/kit/tmux';
import { CLAUDE_DEFAULT_MODEL } from '../../agents/claude.js';
import { PROMPT_PLACEHOLDER } from '../../agents/custom-definition.js';
import type { LaunchPlan, LaunchRequest, PlanLaunch } from '../contract.js';

/** The generated Claude settings file, inside the session's directory (never the repo or ~/.claude). */
export const CLAUDE_SETTINGS_FILE = 'claude-settings.json';

/** The Claude Code hook events the tracker maps to states (docs/session-signals.md §5). */
export const CLAUDE_HOOK_EVENTS = [
  'UserPromptSubmit',
  'Stop',
  'StopFailure',
  'PermissionRequest',
  'PreToolUse',
  'PostToolUse',
  'PreCompact',
  'PostCompact',
  'SessionStart',
  'SessionEnd',
  'Notification',
] as const;

/** The Codex hook events the tracker maps to states; `PostModelRequest` reports each failed (429) attempt. */
export const CODEX_HOOK_EVENTS = [
  'SessionStart',
  'SessionEnd',
  'UserPromptSubmit',
  'PreToolUse',
  'PermissionRequest',
  'PostToolUse',
  'PreCompact',
  'PostCompact',
  'Stop',
  'Interrupt',
  'PostModelRequest',
] as const;

/**
 * Codex hooks it runs with `async=true` (beside the agent, not before its next step). Codex runs
 * blocking hooks one after another, each a node start-up (~50 ms idle, 200–400 ms on a loaded
 * 2-core host): PostModelRequest delayed every Stop by one start-up, and PostModelRequest +
 * PreToolUse delayed every PermissionRequest by two. Neither ends a turn, so landing late is safe:
 * a PreToolUse after the PermissionRequest of its call leaves the question open
 * (`announcesOpenQuestion`), and an in-turn state from a turn that has already ended is dropped
 * (`lateForEndedTurn`, by Codex's `turn_id`). UserPromptSubmit, Stop, PermissionRequest,
 * PostToolUse and the rest stay blocking, so they keep their order.
 */
export const CODEX_ASYNC_HOOK_EVENTS: ReadonlySet<string> = new Set(['PostModelRequest', 'PreToolUse']);

/** A hook taking longer than this is abandoned by Claude; the recorder needs ~50 ms. */
const HOOK_TIMEOUT_S = 10;

export interface LaunchPlannerOptions {
  /** Executable for Claude Code (default `claude`). */
  claudeCommand?: string;
  /** Executable for Codex (default `codex`). */
  codexCommand?: string;
  /** Custom agents by name, as in the config's `agents` record (only `argv` is used). */
  customAgents?: Readonly<Record<string, { argv: readonly string[] } | undefined>>;
  /** The compiled hook recorder (default: `record-hook.cjs` next to this module in `dist`). */
  recorderScript?: string;
  /** The node that runs the recorder (default: this process's `process.execPath`). */
  nodePath?: string;
}

/**
 * The compiled recorder. Under vitest this module runs from `src/`, where only the `.ts` exists, so
 * the `dist/` twin is used (build first).
 */
export function recorderScriptPath(): string {
  const here = fileURLToPath(new URL('./record-hook.cjs', import.meta.url));
  if (existsSync(here)) return here;
  return here.replace(/\/src\/sessions\/signals\/record-hook\.cjs$/, '/dist/sessions/signals/record-hook.cjs');
}

/**
 * A launch planner for the agents' own interactive UIs with Flotilla's hooks wired in: Claude via a
 * generated `--settings` file, Codex via `-c hooks.<Event>=…` overrides, custom agents bare
 * (screen-only tracking).
 *
 * @example
 * const plan = createLaunchPlanner({ customAgents: config.agents })({ sessionId, agent: 'claude', model: null,
 *   cwd: repo, dir: sessionDir, resumeAgentSessionId: null });
 * for (const f of plan.files) await writeFile(f.path, f.content, { mode: f.mode });
 * await tmux.newSession({ name, cwd: repo, command: plan.argv, env: { ...env, ...plan.env } });
 */
export function createLaunchPlanner(options: LaunchPlannerOptions = {}): PlanLaunch {
  const hookCommand = (dir: string, event: string): string =>
    shellQuote([options.nodePath ?? process.execPath, options.recorderScript ?? recorderScriptPath(), dir, event]);
  return (request) => {
    const env = { FLOTILLA_SESSION_ID: request.sessionId };
    if (request.agent === 'claude') return planClaude(options.claudeCommand ?? 'claude', request, hookCommand, env);
    if (request.agent === 'codex') return planCodex(options.codexCommand ?? 'codex', request, hookCommand, env);
    const definition = options.customAgents?.[request.agent];
    const argv = definition ? interactiveArgv(definition.argv) : [request.agent];
    return { argv, env, files: [] };
  };
}

/** The default planner: `claude` and `codex` from PATH, custom agents run by their name. */
export const planLaunch: PlanLaunch = createLaunchPlanner();

type HookCommand = (dir: string, event: string) => string;

/**
 * Claude: hooks in a generated `--settings` file (no trust prompt for those). `async: true` (a
 * command-hook option of 2.1.x: "runs in background without blocking") keeps the recorder's node
 * start-up off the agent's critical path; Flotilla's hooks only observe, they never decide.
 */
function planClaude(command: string, request: LaunchRequest, hookCommand: HookCommand, env: Record<string, string>): LaunchPlan {
  const settingsPath = join(request.dir, CLAUDE_SETTINGS_FILE);
  const hooks = Object.fromEntries(
    CLAUDE_HOOK_EVENTS.map((event) => [
      event,
      [{ matcher: '*', hooks: [{ type: 'command', command: hookCommand(request.dir, event), timeout: HOOK_TIMEOUT_S, async: true }] }],
    ]),
  );
  const argv = [command, '--settings', settingsPath, '--model', request.model ?? CLAUDE_DEFAULT_MODEL];
  if (request.resumeAgentSessionId) argv.push('--resume', request.resumeAgentSessionId);
  return { argv, env, files: [{ path: settingsPath, content: `${JSON.stringify({ hooks }, null, 2)}\n`, mode: 0o600 }] };
}

/**
 * Codex: hooks as `-c` overrides (two of them `async`, see CODEX_ASYNC_HOOK_EVENTS) plus
 * `--dangerously-bypass-hook-trust` (without it the hooks-review screen takes the first paste), and
 * `--no-daemon` (else the TUI leaves an app-server daemon behind).
 */
function planCodex(command: string, request: LaunchRequest, hookCommand: HookCommand, env: Record<string, string>): LaunchPlan {
  const overrides = CODEX_HOOK_EVENTS.flatMap((event) => [
    '-c',
    `hooks.${event}=[{hooks=[{type="command",command=${JSON.stringify(hookCommand(request.dir, event))}${CODEX_ASYNC_HOOK_EVENTS.has(event) ? ',async=true' : ''}}]}]`,
  ]);
  const options = ['--no-daemon', '--dangerously-bypass-hook-trust', ...(request.model ? ['-m', request.model] : []), ...overrides];
  const argv = request.resumeAgentSessionId
    ? [command, 'resume', ...options, request.resumeAgentSessionId]
    : [command, ...options];
  return { argv, env, files: [] };
}

/**
 * A custom agent's argv for interactive use: there is no prompt, so a `{prompt}` element goes, and
 * with it an option right before it that only introduced it (`--message {prompt}`).
 */
export function interactiveArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (arg !== PROMPT_PLACEHOLDER) {
      out.push(arg);
      continue;
    }
    const previous = out.at(-1);
    if (out.length > 1 && previous?.startsWith('-')) out.pop();
  }
  return out;
}
