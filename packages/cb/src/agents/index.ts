/**
 * Agent adapters: how Flotilla launches Claude Code, Codex and custom CLIs, reads their output,
 * classifies how an attempt ended, builds readable transcripts and checks credentials.
 */
export type {
  AgentAdapter,
  AgentLaunch,
  ClassifyInput,
  CredentialStatus,
  ExitRecord,
  LaunchInput,
  LineAccumulator,
  Outcome,
  Progress,
} from './types.js';
export type { StreamingAgentAdapter, Transcriber } from './transcriber.js';
export { createClaudeAdapter, CLAUDE_DEFAULT_MODEL } from './claude.js';
export type { ClaudeAdapterOptions, ClaudeLaunchInput } from './claude.js';
export { createCodexAdapter } from './codex.js';
export type { CodexAdapterOptions } from './codex.js';
export { createCustomAdapter } from './custom.js';
export {
  CustomAgentConfigSchema,
  CustomAgentDefinitionSchema,
  parseCustomAgents,
  BUILTIN_AGENT_NAMES,
} from './custom-definition.js';
export type { CustomAgentDefinition, CustomAgentDefinitionInput, CustomAgentsResult } from './custom-definition.js';
export { createAgentRegistry, AgentConfigError } from './registry.js';
export type { AgentRegistry, AgentRegistryOptions } from './registry.js';
export { claudeCredentialStatus, codexCredentialStatus, fingerprint } from './credentials.js';
export { formatEntry } from './render.js';
export type { FormatOptions } from './render.js';
export { FAST_FAIL_MS } from './exit-outcome.js';
