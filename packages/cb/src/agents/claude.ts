import type { PermissionMode } from '@flotilla/protocol';
import type { AgentLaunch, ClassifyInput, LaunchInput, Outcome } from './types.js';
import type { StreamingAgentAdapter } from './transcriber.js';
import { createClaudeAccumulator } from './claude-accumulator.js';
import { CLAUDE_IDENTITY, classifyClaude } from './claude-outcome.js';
import { claudeTranscript, createClaudeTranscriber } from './claude-transcript.js';
import { claudeCredentialStatus } from './credentials.js';
import { claudeSessionUsage } from './claude-session-usage.js';

/** Without `--model` the CLI runs Opus; Flotilla's default is the cheaper Sonnet. */
export const CLAUDE_DEFAULT_MODEL = 'sonnet';

/**
 * `LaunchInput` plus Claude's optional tool allowlist, used with `permissions: 'allowlist'`
 * (e.g. `['Bash(git *)', 'Edit']`). A plain `LaunchInput` is accepted as well.
 */
export interface ClaudeLaunchInput extends LaunchInput {
  allowedTools?: readonly string[];
}

export interface ClaudeAdapterOptions {
  /** Executable to run (default `claude`), e.g. a path to `node_modules/.bin/claude`. */
  command?: string;
  /** Allowlist used when the launch input brings none. */
  allowedTools?: readonly string[];
}

const PERMISSION_MODES: Readonly<Record<PermissionMode, string>> = {
  'accept-edits': 'acceptEdits',
  allowlist: 'default',
  bypass: 'bypassPermissions',
};

/**
 * Claude's argv. The prompt goes last, after `--`: `--allowedTools` is variadic and would swallow
 * it, and a prompt starting with `-` would be read as an option (verified with 2.1.197).
 */
export function claudeArgv(command: string, input: ClaudeLaunchInput, defaultTools: readonly string[] = []): string[] {
  const argv = [command, '-p', '--output-format', 'stream-json', '--verbose'];
  argv.push('--model', input.model ?? CLAUDE_DEFAULT_MODEL);
  argv.push('--permission-mode', PERMISSION_MODES[input.permissions]);
  const tools = input.allowedTools ?? defaultTools;
  if (input.permissions === 'allowlist' && tools.length > 0) argv.push('--allowedTools', ...tools);
  if (input.resumeSessionId) argv.push('--resume', input.resumeSessionId);
  if (input.jsonSchema !== undefined && input.jsonSchema !== null) {
    argv.push('--json-schema', JSON.stringify(input.jsonSchema));
  }
  if (typeof input.budgetUsd === 'number' && input.budgetUsd > 0) argv.push('--max-budget-usd', String(input.budgetUsd));
  argv.push('--', input.prompt);
  return argv;
}

/** Claude refuses bypass mode as root unless told it runs in a sandbox (agent-clis.md §3). */
export function claudeEnv(input: LaunchInput): Record<string, string> {
  return input.permissions === 'bypass' && input.isRoot ? { IS_SANDBOX: '1' } : {};
}

/**
 * The Claude Code adapter: `claude -p … --output-format stream-json --verbose`.
 *
 * @example
 * const claude = createClaudeAdapter();
 * const launch = claude.launch({ prompt: 'fix the test', model: null, permissions: 'accept-edits',
 *   cwd: '/repo', resumeSessionId: null, isRoot: false });
 * // launch.argv → ['claude', '-p', …, '--model', 'sonnet', '--permission-mode', 'acceptEdits', '--', 'fix the test']
 */
export function createClaudeAdapter(options: ClaudeAdapterOptions = {}): StreamingAgentAdapter {
  const command = options.command ?? 'claude';
  const identity = { ...CLAUDE_IDENTITY, command };
  return {
    name: 'claude',
    usageFromSession: claudeSessionUsage,
    command,
    launch(input: ClaudeLaunchInput): AgentLaunch {
      return {
        argv: claudeArgv(command, input, options.allowedTools),
        stdin: { kind: 'null' },
        env: claudeEnv(input),
        outputFormat: 'stream-json',
      };
    },
    createAccumulator: () => createClaudeAccumulator(),
    classify: (input: ClassifyInput): Outcome => classifyClaude(input, identity),
    transcript: (lines) => claudeTranscript(lines),
    createTranscriber: () => createClaudeTranscriber(),
    credentialStatus: (env, home) => claudeCredentialStatus(env, home),
  };
}
