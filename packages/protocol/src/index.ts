export { PROTOCOL_VERSION, IdSchema, TimestampSchema, HostNameSchema, AgentNameSchema, PermissionModeSchema, OutputFormatSchema } from './common.js';
export type { AgentName, PermissionMode, OutputFormat } from './common.js';
export {
  JOB_STATUSES,
  JobStatusSchema,
  TERMINAL_STATUSES,
  isTerminal,
  JOB_TRANSITIONS,
  canTransition,
  FAILURE_KINDS,
  FailureKindSchema,
  RETRY_CLASS,
  CREDENTIAL_FAILURES,
  FAILURE_DESCRIPTIONS,
} from './lifecycle.js';
export type { JobStatus, FailureKind, RetryClass } from './lifecycle.js';
export {
  FailureSchema,
  UsageSchema,
  EMPTY_USAGE,
  newJob,
  CostSchema,
  WorktreeSchema,
  AttemptStatusSchema,
  AttemptSchema,
  JobSchema,
  CreateJobRequestSchema,
  ResumeJobRequestSchema,
  JobListQuerySchema,
  JobPageSchema,
} from './job.js';
export type {
  Failure,
  Usage,
  Cost,
  Worktree,
  AttemptStatus,
  Attempt,
  Job,
  CreateJobRequest,
  ResumeJobRequest,
  JobListQuery,
  JobPage,
  NewJobFields,
} from './job.js';
export { TranscriptEntrySchema, TranscriptSchema, LogChunkSchema } from './transcript.js';
export type { TranscriptEntry, Transcript, LogChunk } from './transcript.js';
export {
  HealthSchema,
  DaemonStatusSchema,
  CapabilitiesSchema,
  PauseSchema,
  InboxItemSchema,
  InboxEntrySchema,
  SessionInboxItemSchema,
  sessionInboxItem,
  StatsSchema,
  DoctorCheckSchema,
  DoctorReportSchema,
  RepoSchema,
  GcRequestSchema,
  GcReportSchema,
  BrowserTokenSchema,
  DiffSchema,
} from './resources.js';
export type {
  Health,
  DaemonStatus,
  Capabilities,
  Pause,
  InboxItem,
  InboxEntry,
  SessionInboxItem,
  Stats,
  DoctorCheck,
  DoctorReport,
  Repo,
  GcRequest,
  GcReport,
  BrowserToken,
  Diff,
} from './resources.js';
export { EVENT_TYPES, EventSchema, parseEvent } from './events.js';
export type { EventType, FlotillaEvent, EventOf } from './events.js';
export {
  ERROR_CODES,
  ErrorCodeSchema,
  HTTP_STATUS,
  ErrorEnvelopeSchema,
  ProtocolError,
  isProtocolError,
  errorFromEnvelope,
} from './errors.js';
export type { ErrorCode, ErrorEnvelope } from './errors.js';
export {
  MAX_KNOWLEDGE_HITS,
  MAX_KNOWLEDGE_READ_LINES,
  KnowledgeSearchQuerySchema,
  KnowledgeSymbolQuerySchema,
  KnowledgeReadQuerySchema,
  KnowledgeRepoSchema,
  KnowledgeSearchHitSchema,
  KnowledgeDefinitionHitSchema,
  KnowledgeReferenceHitSchema,
  KnowledgeSearchResultSchema,
  KnowledgeDefinitionResultSchema,
  KnowledgeReferenceResultSchema,
  KnowledgeFileSchema,
  formatCitation,
} from './knowledge.js';
export type {
  KnowledgeSearchQuery,
  KnowledgeSymbolQuery,
  KnowledgeReadQuery,
  KnowledgeRepo,
  KnowledgeSearchHit,
  KnowledgeDefinitionHit,
  KnowledgeReferenceHit,
  KnowledgeSearchResult,
  KnowledgeDefinitionResult,
  KnowledgeReferenceResult,
  KnowledgeFile,
} from './knowledge.js';
export { createSseParser } from './sse.js';
export type { SseMessage } from './sse.js';
export { createClient } from './client.js';
export type { FlotillaClient, WaitOptions, EventStreamOptions } from './client.js';
export type { HttpMethod, Transport, TransportRequest, TransportResponse, TransportStream } from './transport.js';
export {
  SESSION_STATES,
  SessionStateSchema,
  SESSION_STATE_SOURCES,
  SessionStateSourceSchema,
  SessionNameSchema,
  SessionKindSchema,
  SessionSchema,
  CreateSessionRequestSchema,
  AlertPatternSchema,
  alertPatternProblem,
  SESSION_KEYS,
  SessionKeySchema,
  SendRequestSchema,
  SendReceiptSchema,
  AnswerRequestSchema,
  PeekSchema,
  SessionLogEntrySchema,
  AnswerSchema,
  SessionListQuerySchema,
  MAX_PEEK_LINES,
  isSessionLive,
} from './session.js';
export type {
  SessionState,
  SessionStateSource,
  SessionKind,
  Session,
  CreateSessionRequest,
  SendRequest,
  SendReceipt,
  Peek,
  SessionLogEntry,
  Answer,
  AnswerRequest,
  SessionListQuery,
} from './session.js';
export * from './terminal.js';
export * from './addons.js';
export * from './board.js';
export * from './mesh.js';
export * from './board-client.js';
export * from './mesh-client.js';
export * from './pipeline.js';
