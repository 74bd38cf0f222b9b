/**
 * The agent command lines a bare host runs, as shell text for the job's wrapper script. They follow
 * the shapes `cb` uses (read from `packages/cb/src/agents`, not imported: mesh talks to cb only
 * through the protocol): `claude -p … --output-format stream-json --verbose`, `codex exec --json …`,
 * and any other agent name run as `NAME PROMPT`. The prompt never appears in the command line: the
 * wrapper reads it from the job's `prompt` file inside double quotes (`"$(cat …)"`), which the shell
 * neither splits nor globs, so no prompt can break out of its argument.
 */
import { shellQuote } from '@flotilla/kit/tmux';
import type { PermissionMode } from '@flotilla/protocol';

/** Claude's CLI runs Opus without `--model`; cb's default is the cheaper Sonnet, and so is this. */
export const CLAUDE_DEFAULT_MODEL = 'sonnet';

/** How the agent's output is read back for a job's result. */
export type BareOutputFormat = 'stream-json' | 'jsonl' | 'text';

export interface BareAgentInput {
  agent: string;
  model: string | null;
  permissions: PermissionMode;
  cwd: string;
  /** Is the remote user root (Claude's bypass mode then needs IS_SANDBOX=1)? Unknown: false. */
  isRoot?: boolean;
}

export interface BareAgentLaunch {
  /** Shell text; `promptWord` stands where the prompt goes. */
  command: string;
  env: Record<string, string>;
  outputFormat: BareOutputFormat;
}

const CLAUDE_PERMISSION_MODES: Readonly<Record<PermissionMode, string>> = {
  'accept-edits': 'acceptEdits',
  allowlist: 'default',
  bypass: 'bypassPermissions',
};

/**
 * The agent's command line for a job, the prompt read from `promptFile` (a path the shell expands,
 * e.g. `"$D/prompt"`).
 *
 * @example
 * agentJobCommand({ agent: 'claude', model: null, permissions: 'accept-edits', cwd: '/repo' }, '"$D/prompt"').command
 * // claude -p --output-format stream-json --verbose --model sonnet --permission-mode acceptEdits -- "$(cat "$D/prompt")"
 */
export function agentJobCommand(input: BareAgentInput, promptFile: string): BareAgentLaunch {
  const prompt = `"$(cat ${promptFile})"`;
  if (input.agent === 'claude') {
    const argv = ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--model', input.model ?? CLAUDE_DEFAULT_MODEL];
    argv.push('--permission-mode', CLAUDE_PERMISSION_MODES[input.permissions]);
    const env: Record<string, string> = input.permissions === 'bypass' && input.isRoot ? { IS_SANDBOX: '1' } : {};
    return { command: `${shellQuote(argv)} -- ${prompt}`, env, outputFormat: 'stream-json' };
  }
  if (input.agent === 'codex') {
    const sandbox = input.permissions === 'bypass' ? ['--dangerously-bypass-approvals-and-sandbox'] : ['-s', 'workspace-write'];
    const model = input.model ? ['-m', input.model] : [];
    const argv = ['codex', 'exec', '--json', '--skip-git-repo-check', ...model, ...sandbox, '-C', input.cwd];
    return { command: `${shellQuote(argv)} -- ${prompt}`, env: {}, outputFormat: 'jsonl' };
  }
  return { command: `${shellQuote([input.agent])} ${prompt}`, env: {}, outputFormat: 'text' };
}

/** The argv of an interactive agent session (the agent's own UI in a tmux pane). */
export function agentSessionArgv(agent: string, model: string | null): string[] {
  if (agent === 'claude') return ['claude', '--model', model ?? CLAUDE_DEFAULT_MODEL];
  if (agent === 'codex') return model ? ['codex', '-m', model] : ['codex'];
  return [agent];
}

/** The agents a bare host offers (any other name is run as a command of that name). */
export const BARE_AGENTS = ['claude', 'codex'] as const;
