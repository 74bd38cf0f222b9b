export { startFakeAnthropic, unifiedRateLimitHeaders } from './fake-anthropic.js';
export type { UnifiedRateLimitOptions } from './fake-anthropic.js';
export { startFakeOpenAI } from './fake-openai.js';
export { seedClaudeHome, claudeEnv } from './claude-home.js';
export type { SeedClaudeHomeOptions, ClaudeEnvOptions } from './claude-home.js';
export { seedCodexHome, codexEnv, CODEX_KEY_ENV } from './codex-home.js';
export type { SeedCodexHomeOptions, CodexEnvOptions } from './codex-home.js';
export { claudeBin,
  agentBinDir, codexBin } from './bins.js';
export { makeTempDir, makeGitRepo } from './temp-fixtures.js';
export type { TempDir } from './temp-fixtures.js';
export { runProcess, parseJsonLines } from './run-process.js';
export type { RunProcessOptions, RunProcessResult } from './run-process.js';
export type {
  AnthropicScenario,
  AnthropicStep,
  AnthropicUsage,
  ErrorStep,
  FailedStep,
  FakeServer,
  HangStep,
  OpenAIScenario,
  OpenAIStep,
  OpenAIUsage,
  RecordedRequest,
  ReplyStep,
  RequestKind,
  StallStep,
  StepBase,
  ToolUse,
} from './types.js';
export { startLoopbackSshd, sshdUnavailableReason } from './loopback-sshd.js';
export type { LoopbackSshd, LoopbackSshdOptions } from './loopback-sshd.js';
