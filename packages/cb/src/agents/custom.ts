import type { OutputFormat } from '@flotilla/protocol';
import type { AgentLaunch, ClassifyInput, LaunchInput, LineAccumulator, Outcome } from './types.js';
import type { StreamingAgentAdapter, Transcriber } from './transcriber.js';
import { createClaudeAccumulator } from './claude-accumulator.js';
import { classifyClaude } from './claude-outcome.js';
import { createClaudeTranscriber } from './claude-transcript.js';
import { PROMPT_PLACEHOLDER, type CustomAgentDefinition } from './custom-definition.js';
import { classifyWithoutResult, type AgentIdentity } from './exit-outcome.js';
import { classifyFailureText } from './failure-text.js';
import {
  createJsonlAccumulator,
  createJsonlTranscriber,
  createTextAccumulator,
  createTextTranscriber,
  textTranscript,
} from './generic-lines.js';
import { transcribeAll } from './transcriber.js';

/**
 * The custom agent's argv: every element exactly `{prompt}` becomes the prompt (one argument, never
 * shell-split); with none and `promptVia: 'arg'`, the prompt is appended.
 */
export function customArgv(definition: CustomAgentDefinition, prompt: string): string[] {
  const hasPlaceholder = definition.argv.includes(PROMPT_PLACEHOLDER);
  const argv = definition.argv.map((arg) => (arg === PROMPT_PLACEHOLDER ? prompt : arg));
  if (!hasPlaceholder && definition.promptVia === 'arg') argv.push(prompt);
  return argv;
}

/**
 * A custom agent's outcome. Claude-compatible output is classified like Claude; otherwise exit 0
 * is success (with the last text as the answer), unless a jsonl `result` line said `is_error`.
 */
export function classifyCustom(input: ClassifyInput, format: OutputFormat, identity: AgentIdentity): Outcome {
  if (format === 'stream-json') return classifyClaude(input, identity);
  const { exit, progress } = input;
  if (exit.spawnError || exit.stoppedBy || exit.signal || exit.exitCode !== 0) {
    return classifyWithoutResult(input, identity);
  }
  if (progress.sawResult && progress.resultIsError) {
    const message = progress.result ?? 'the agent reported an error';
    return { status: 'failed', failure: { kind: classifyFailureText(message) ?? 'task', message }, result: null };
  }
  return { status: 'succeeded', failure: null, result: progress.result };
}

function accumulatorFor(format: OutputFormat): LineAccumulator {
  if (format === 'stream-json') return createClaudeAccumulator();
  return format === 'jsonl' ? createJsonlAccumulator() : createTextAccumulator();
}

function transcriberFor(format: OutputFormat): Transcriber {
  if (format === 'stream-json') return createClaudeTranscriber();
  return format === 'jsonl' ? createJsonlTranscriber() : createTextTranscriber();
}

/**
 * An adapter for any CLI described in the config. Model, permissions and resume are not passed:
 * put the flags the CLI needs into `argv`.
 *
 * @example
 * const aider = createCustomAdapter({ name: 'aider', argv: ['aider', '--yes', '--message', '{prompt}'],
 *   promptVia: 'arg', outputFormat: 'text' });
 */
export function createCustomAdapter(definition: CustomAgentDefinition): StreamingAgentAdapter {
  const command = definition.argv[0] ?? definition.name;
  const identity: AgentIdentity = {
    command,
    installHint: `Install it, or fix "agents.${definition.name}.argv" in the config.`,
  };
  const format = definition.outputFormat;
  return {
    name: definition.name,
    command,
    launch(input: LaunchInput): AgentLaunch {
      return {
        argv: customArgv(definition, input.prompt),
        stdin: definition.promptVia === 'stdin' ? { kind: 'text', text: input.prompt } : { kind: 'null' },
        env: { ...definition.env },
        outputFormat: format,
      };
    },
    createAccumulator: () => accumulatorFor(format),
    classify: (input) => classifyCustom(input, format, identity),
    transcript: (lines) => (format === 'text' ? textTranscript(lines) : transcribeAll(transcriberFor(format), lines)),
    createTranscriber: () => transcriberFor(format),
    credentialStatus: () => ({
      ok: true,
      credential: `custom:${definition.name}`,
      detail: `${definition.name} manages its own credentials (pass them with "env" in its definition or --env)`,
      fix: null,
    }),
  };
}
