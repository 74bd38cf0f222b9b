import { z } from 'zod';
import { AgentNameSchema, OutputFormatSchema } from '@flotilla/protocol';

/** Names taken by the built-in adapters. */
export const BUILTIN_AGENT_NAMES: readonly string[] = ['claude', 'codex'];

/** The argv element replaced by the prompt (as one argument, never split or shell-parsed). */
export const PROMPT_PLACEHOLDER = '{prompt}';

const EnvKeySchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a valid environment variable name');

/**
 * A custom agent as written under `"agents": { "<name>": { … } }` in the config file. Strict, so a
 * misspelt key (`promptvia`) is reported instead of silently ignored.
 *
 * @example
 * { "argv": ["aider", "--yes", "--message", "{prompt}"], "promptVia": "arg", "outputFormat": "text" }
 */
export const CustomAgentConfigSchema = z.strictObject({
  /** Optional here: the key under `agents` is the name. */
  name: AgentNameSchema.optional(),
  /** Executable and arguments; an element exactly `{prompt}` becomes the prompt. */
  argv: z
    .array(z.string().min(1, 'argv elements must not be empty'))
    .min(1, 'argv needs at least the executable')
    .refine((argv) => argv[0] !== PROMPT_PLACEHOLDER, 'argv[0] must be the executable, not {prompt}'),
  /** `arg`: the prompt is an argument (appended when argv has no `{prompt}`); `stdin`: written to stdin. */
  promptVia: z.enum(['arg', 'stdin']).default('arg'),
  /** `stream-json`: Claude-compatible; `jsonl`: `{type, text}` lines; `text`: plain output. */
  outputFormat: OutputFormatSchema.default('text'),
  env: z.record(EnvKeySchema, z.string()).optional(),
});

/** A complete custom agent definition (name included). */
export const CustomAgentDefinitionSchema = CustomAgentConfigSchema.extend({
  name: AgentNameSchema.refine((name) => !BUILTIN_AGENT_NAMES.includes(name), 'is the name of a built-in agent'),
});
export type CustomAgentDefinition = z.infer<typeof CustomAgentDefinitionSchema>;
/** What a caller may pass (defaults not yet applied). */
export type CustomAgentDefinitionInput = z.input<typeof CustomAgentDefinitionSchema>;

export type CustomAgentsResult = { ok: true; value: CustomAgentDefinition[] } | { ok: false; issues: string[] };

function issuesOf(name: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `agents.${[name, ...i.path.map(String)].join('.')}: ${i.message}`);
}

/**
 * Validates the config's `agents` record (name → definition). `undefined` entries are skipped, so
 * `{ claude: undefined }` (a built-in with no definition) is fine; a definition for a built-in is not.
 */
export function parseCustomAgents(agents: Readonly<Record<string, unknown>>): CustomAgentsResult {
  const value: CustomAgentDefinition[] = [];
  const issues: string[] = [];
  for (const [name, raw] of Object.entries(agents)) {
    if (raw === undefined) continue;
    const body = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : raw;
    if (body && typeof body === 'object' && 'name' in body && body.name !== name) {
      issues.push(`agents.${name}.name: must be "${name}" (the key) or left out`);
      continue;
    }
    const parsed = CustomAgentDefinitionSchema.safeParse(body && typeof body === 'object' ? { ...body, name } : body);
    if (parsed.success) value.push(parsed.data);
    else issues.push(...issuesOf(name, parsed.error));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}
