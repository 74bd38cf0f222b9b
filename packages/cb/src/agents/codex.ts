import type { AgentLaunch, ClassifyInput, LaunchInput, Outcome } from './types.js';
import { codexSessionUsage } from './codex-session-usage.js';
import type { StreamingAgentAdapter } from './transcriber.js';
import { CODEX_IDENTITY, classifyCodex, createCodexAccumulator } from './codex-accumulator.js';
import { codexTranscript, createCodexTranscriber } from './codex-transcript.js';
import { codexCredentialStatus } from './credentials.js';

export interface CodexAdapterOptions {
  /** Executable to run (default `codex`), e.g. a path to `node_modules/.bin/codex`. */
  command?: string;
}

/**
 * Sandbox flags. `codex exec resume` has no `-s`, so the sandbox is also set through the
 * `sandbox_mode` config override, which both forms accept.
 */
function sandboxArgs(input: LaunchInput): string[] {
  if (input.permissions === 'bypass') return ['--dangerously-bypass-approvals-and-sandbox'];
  return input.resumeSessionId ? ['-c', 'sandbox_mode="workspace-write"'] : ['-s', 'workspace-write'];
}

/**
 * Codex's argv: `codex exec --json --skip-git-repo-check [-m model] <sandbox> -C <cwd> -- <prompt>`,
 * or `codex exec … -C <cwd> resume [options] <id> -- <prompt>` to continue a thread. Options that
 * `resume` does not list (`-C`) go before the subcommand; the prompt follows `--` so a prompt that
 * starts with `-` is not read as an option.
 */
export function codexArgv(command: string, input: LaunchInput): string[] {
  const model = input.model ? ['-m', input.model] : [];
  const common = ['--json', '--skip-git-repo-check', ...model, ...sandboxArgs(input)];
  if (input.resumeSessionId) {
    return [command, 'exec', '-C', input.cwd, 'resume', ...common, input.resumeSessionId, '--', input.prompt];
  }
  return [command, 'exec', ...common, '-C', input.cwd, '--', input.prompt];
}

/**
 * The Codex adapter: `codex exec --json`, with stdin /dev/null (an open pipe blocks it).
 *
 * @example
 * const codex = createCodexAdapter();
 * codex.launch({ prompt: 'fix it', model: 'gpt-5', permissions: 'accept-edits', cwd: '/repo',
 *   resumeSessionId: null, isRoot: true }).argv;
 * // ['codex', 'exec', '--json', '--skip-git-repo-check', '-m', 'gpt-5', '-s', 'workspace-write', '-C', '/repo', '--', 'fix it']
 */
export function createCodexAdapter(options: CodexAdapterOptions = {}): StreamingAgentAdapter {
  const command = options.command ?? 'codex';
  const identity = { ...CODEX_IDENTITY, command };
  return {
    name: 'codex',
    resumeUsageIsCumulative: true,
    usageFromSession: codexSessionUsage,
    command,
    launch(input: LaunchInput): AgentLaunch {
      return { argv: codexArgv(command, input), stdin: { kind: 'null' }, env: {}, outputFormat: 'jsonl' };
    },
    createAccumulator: () => createCodexAccumulator(),
    classify: (input: ClassifyInput): Outcome => classifyCodex(input, identity),
    transcript: (lines) => codexTranscript(lines),
    createTranscriber: () => createCodexTranscriber(),
    credentialStatus: (env, home) => codexCredentialStatus(env, home),
  };
}
