import { createClaudeAdapter } from './claude.js';
import { createCodexAdapter } from './codex.js';
import { createCustomAdapter } from './custom.js';
import { parseCustomAgents, type CustomAgentDefinitionInput } from './custom-definition.js';
import type { StreamingAgentAdapter } from './transcriber.js';

export interface AgentRegistry {
  /** The adapter for an agent name, or undefined when there is no such agent. */
  get(name: string): StreamingAgentAdapter | undefined;
  /** Built-ins first, then custom agents in definition order. */
  names(): string[];
}

export interface AgentRegistryOptions {
  /** Executable for the built-in Claude adapter (default `claude`). */
  claudeCommand?: string;
  /** Executable for the built-in Codex adapter (default `codex`). */
  codexCommand?: string;
}

/** Thrown for an invalid `agents` config; `issues` has one line per problem. */
export class AgentConfigError extends Error {
  readonly code = 'AGENT_CONFIG_INVALID';
  constructor(readonly issues: readonly string[]) {
    super(`invalid custom agent definitions:\n  ${issues.join('\n  ')}\nFix "agents" in the config file.`);
    this.name = 'AgentConfigError';
  }
}

function toRecord(
  definitions: Readonly<Record<string, unknown>> | readonly CustomAgentDefinitionInput[],
): { record: Record<string, unknown>; issues: string[] } {
  if (!Array.isArray(definitions)) return { record: { ...definitions }, issues: [] };
  const record: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const definition of definitions as readonly CustomAgentDefinitionInput[]) {
    if (definition.name in record) issues.push(`agents.${definition.name}: defined twice`);
    record[definition.name] = definition;
  }
  return { record, issues };
}

/**
 * The agents a daemon can run: the built-in `claude` and `codex`, plus custom agents from the
 * config's `agents` record (name → `{ argv, promptVia, outputFormat, env }`) or a list of complete
 * definitions. Entries whose value is undefined are ignored (`{ claude: undefined }` is fine).
 *
 * @throws AgentConfigError when a definition is invalid or reuses a built-in name.
 * @example
 * const agents = createAgentRegistry({ echo: { argv: ['echo'], outputFormat: 'text' } });
 * agents.names(); // ['claude', 'codex', 'echo']
 */
export function createAgentRegistry(
  customDefinitions: Readonly<Record<string, unknown>> | readonly CustomAgentDefinitionInput[] = {},
  options: AgentRegistryOptions = {},
): AgentRegistry {
  const { record, issues } = toRecord(customDefinitions);
  const parsed = parseCustomAgents(record);
  if (!parsed.ok || issues.length > 0) throw new AgentConfigError([...issues, ...(parsed.ok ? [] : parsed.issues)]);
  const adapters = new Map<string, StreamingAgentAdapter>([
    ['claude', createClaudeAdapter({ command: options.claudeCommand })],
    ['codex', createCodexAdapter({ command: options.codexCommand })],
  ]);
  for (const definition of parsed.value) adapters.set(definition.name, createCustomAdapter(definition));
  return {
    get: (name) => adapters.get(name),
    names: () => [...adapters.keys()],
  };
}
