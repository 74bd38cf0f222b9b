import type { z } from 'zod';
import { TelegramAddonStatusSchema, type TelegramAddonStatus } from './addons.js';
import { errorFromEnvelope } from './errors.js';
import { parseEvent, type FlotillaEvent } from './events.js';
import {
  JobPageSchema,
  JobSchema,
  type CreateJobRequest,
  type Job,
  type JobListQuery,
  type JobPage,
} from './job.js';
import {
  CapabilitiesSchema,
  DaemonStatusSchema,
  DiffSchema,
  DoctorReportSchema,
  GcReportSchema,
  BrowserTokenSchema,
  HealthSchema,
  InboxEntrySchema,
  PauseSchema,
  RepoSchema,
  StatsSchema,
  type Capabilities,
  type DaemonStatus,
  type Diff,
  type DoctorReport,
  type GcReport,
  type BrowserToken,
  type GcRequest,
  type Health,
  type InboxEntry,
  type Pause,
  type Repo,
  type Stats,
} from './resources.js';
import {
  KnowledgeDefinitionResultSchema,
  KnowledgeFileSchema,
  KnowledgeReferenceResultSchema,
  KnowledgeRepoSchema,
  KnowledgeSearchResultSchema,
  type KnowledgeDefinitionResult,
  type KnowledgeFile,
  type KnowledgeReadQuery,
  type KnowledgeReferenceResult,
  type KnowledgeRepo,
  type KnowledgeSearchQuery,
  type KnowledgeSearchResult,
  type KnowledgeSymbolQuery,
} from './knowledge.js';
import {
  PeekSchema,
  SendReceiptSchema,
  SessionLogEntrySchema,
  SessionSchema,
  type Answer,
  type CreateSessionRequest,
  type Peek,
  type SendReceipt,
  type SendRequest,
  type Session,
  type SessionListQuery,
  type SessionLogEntry,
} from './session.js';
import { createSseParser } from './sse.js';
import { LogChunkSchema, TranscriptSchema, type LogChunk, type Transcript } from './transcript.js';
import type { Transport, TransportRequest } from './transport.js';

export interface WaitOptions {
  /** Give up after this long and return the job as it is. */
  timeoutMs?: number;
}

export interface EventStreamOptions {
  lastEventId?: number;
  signal?: AbortSignal;
}

/** The typed client over an injected transport: everything the CLI can do goes through here. */
export interface FlotillaClient {
  health(): Promise<Health>;
  status(): Promise<DaemonStatus>;
  capabilities(): Promise<Capabilities>;
  stop(): Promise<void>;
  createJob(request: CreateJobRequest): Promise<Job>;
  listJobs(query?: JobListQuery): Promise<JobPage>;
  getJob(id: string): Promise<Job>;
  cancelJob(id: string): Promise<Job>;
  retryJob(id: string): Promise<Job>;
  resumeJob(id: string, prompt: string): Promise<Job>;
  /** Long-polls until the job is terminal (or the timeout passes). */
  waitJob(id: string, options?: WaitOptions): Promise<Job>;
  markRead(id: string): Promise<Job>;
  transcript(id: string, attempt?: number): Promise<Transcript>;
  log(id: string, options?: { attempt?: number; offset?: number; limit?: number }): Promise<LogChunk>;
  diff(id: string): Promise<Diff>;
  /** Sessions that need you, then unread results. */
  inbox(): Promise<InboxEntry[]>;
  stats(options?: { days?: number }): Promise<Stats>;
  repos(): Promise<Repo[]>;
  doctor(): Promise<DoctorReport>;
  pauses(): Promise<Pause[]>;
  gc(request?: GcRequest): Promise<GcReport>;
  /** Browsers signed in through `cb serve` links, by fingerprint. */
  browserTokens(): Promise<BrowserToken[]>;
  /** Signs a browser out (its cookie stops working at once); returns the ones left. */
  revokeBrowserToken(id: string): Promise<BrowserToken[]>;
  /** The Telegram bot the server supervises, and the bot's own facts (allowlist, mode). */
  telegramStatus(): Promise<TelegramAddonStatus>;
  createSession(request: CreateSessionRequest): Promise<Session>;
  /** Live sessions; with `all`, ended ones too. */
  listSessions(query?: SessionListQuery): Promise<Session[]>;
  getSession(name: string): Promise<Session>;
  /** Stops the agent gracefully (its own exit keys), then kills its tmux session; resolves with the exited session. */
  stopSession(name: string): Promise<Session>;
  /** Text as one turn (bracketed paste + Enter, confirmed) or one allowed key. Throws DELIVERY_FAILED with the receipt in `details`. */
  send(name: string, request: SendRequest): Promise<SendReceipt>;
  /** Answers a `waiting_permission` session's question. */
  answer(name: string, answer: Answer): Promise<Session>;
  peek(name: string, options?: { lines?: number }): Promise<Peek>;
  sessionLog(name: string): Promise<SessionLogEntry[]>;
  /** Makes a discovered session (an agent in a tmux pane started outside Flotilla) a managed one. */
  adoptSession(name: string): Promise<Session>;
  /** Repositories the server knows, indexed ones first (only when capabilities' addons include `knowledge`). */
  knowledgeRepos(): Promise<KnowledgeRepo[]>;
  /** codekb's ranked (or `literal`) search over a repository's index; NOT_FOUND when it has none. */
  knowledgeSearch(query: KnowledgeSearchQuery): Promise<KnowledgeSearchResult>;
  /** Where a symbol (`name` or `Container.member`) is defined, best first. */
  knowledgeDefinition(query: KnowledgeSymbolQuery): Promise<KnowledgeDefinitionResult>;
  /** Where a symbol is used, with the enclosing symbol of each use. */
  knowledgeReferences(query: KnowledgeSymbolQuery): Promise<KnowledgeReferenceResult>;
  /** Numbered lines of a repo-relative file; paths outside the repository are refused. */
  knowledgeRead(query: KnowledgeReadQuery): Promise<KnowledgeFile>;
  /** Every event after `lastEventId`, as they happen, until the signal aborts. Unknown types are skipped. */
  events(options?: EventStreamOptions): AsyncIterable<FlotillaEvent>;
}

export function createClient(transport: Transport): FlotillaClient {
  async function call<T extends z.ZodType>(schema: T, req: TransportRequest): Promise<z.infer<T>> {
    const res = await transport.request(req);
    if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    return schema.parse(res.body);
  }
  const job = (id: string) => `/api/jobs/${encodeURIComponent(id)}`;
  const session = (name: string) => `/api/sessions/${encodeURIComponent(name)}`;
  return {
    health: () => call(HealthSchema, { method: 'GET', path: '/health' }),
    status: () => call(DaemonStatusSchema, { method: 'GET', path: '/api/daemon' }),
    capabilities: () => call(CapabilitiesSchema, { method: 'GET', path: '/api/capabilities' }),
    stop: async () => {
      await transport.request({ method: 'POST', path: '/api/daemon/stop' });
    },
    createJob: (body) => call(JobSchema, { method: 'POST', path: '/api/jobs', body }),
    listJobs: (query = {}) => call(JobPageSchema, { method: 'GET', path: '/api/jobs', query: listQuery(query) }),
    getJob: (id) => call(JobSchema, { method: 'GET', path: job(id) }),
    cancelJob: (id) => call(JobSchema, { method: 'POST', path: `${job(id)}/cancel` }),
    retryJob: (id) => call(JobSchema, { method: 'POST', path: `${job(id)}/retry` }),
    resumeJob: (id, prompt) => call(JobSchema, { method: 'POST', path: `${job(id)}/resume`, body: { prompt } }),
    waitJob: (id, options = {}) =>
      call(JobSchema, { method: 'GET', path: `${job(id)}/wait`, query: { timeoutMs: options.timeoutMs } }),
    markRead: (id) => call(JobSchema, { method: 'POST', path: `${job(id)}/read` }),
    transcript: (id, attempt) =>
      call(TranscriptSchema, { method: 'GET', path: `${job(id)}/transcript`, query: { attempt } }),
    log: (id, options = {}) => call(LogChunkSchema, { method: 'GET', path: `${job(id)}/log`, query: { ...options } }),
    diff: (id) => call(DiffSchema, { method: 'GET', path: `${job(id)}/diff` }),
    inbox: () => call(InboxEntrySchema.array(), { method: 'GET', path: '/api/inbox' }),
    stats: (options = {}) => call(StatsSchema, { method: 'GET', path: '/api/stats', query: { days: options.days } }),
    repos: () => call(RepoSchema.array(), { method: 'GET', path: '/api/repos' }),
    doctor: () => call(DoctorReportSchema, { method: 'GET', path: '/api/doctor' }),
    pauses: () => call(PauseSchema.array(), { method: 'GET', path: '/api/pauses' }),
    gc: (body = {}) => call(GcReportSchema, { method: 'POST', path: '/api/gc', body }),
    browserTokens: () => call(BrowserTokenSchema.array(), { method: 'GET', path: '/api/tokens' }),
    revokeBrowserToken: (id) => call(BrowserTokenSchema.array(), { method: 'DELETE', path: `/api/tokens/${encodeURIComponent(id)}` }),
    telegramStatus: () => call(TelegramAddonStatusSchema, { method: 'GET', path: '/api/addons/telegram' }),
    createSession: (body) => call(SessionSchema, { method: 'POST', path: '/api/sessions', body }),
    listSessions: (query = {}) => call(SessionSchema.array(), { method: 'GET', path: '/api/sessions', query: query.all ? { all: true } : {} }),
    getSession: (name) => call(SessionSchema, { method: 'GET', path: session(name) }),
    stopSession: (name) => call(SessionSchema, { method: 'DELETE', path: session(name) }),
    send: (name, body) => call(SendReceiptSchema, { method: 'POST', path: `${session(name)}/send`, body }),
    answer: (name, answer) => call(SessionSchema, { method: 'POST', path: `${session(name)}/answer`, body: { answer } }),
    peek: (name, options = {}) => call(PeekSchema, { method: 'GET', path: `${session(name)}/peek`, query: { lines: options.lines } }),
    sessionLog: (name) => call(SessionLogEntrySchema.array(), { method: 'GET', path: `${session(name)}/log` }),
    adoptSession: (name) => call(SessionSchema, { method: 'POST', path: `${session(name)}/adopt` }),
    knowledgeRepos: () => call(KnowledgeRepoSchema.array(), { method: 'GET', path: '/api/knowledge/repos' }),
    knowledgeSearch: (query) => call(KnowledgeSearchResultSchema, { method: 'GET', path: '/api/knowledge/search', query: { ...query } }),
    knowledgeDefinition: (query) => call(KnowledgeDefinitionResultSchema, { method: 'GET', path: '/api/knowledge/definition', query: { ...query } }),
    knowledgeReferences: (query) => call(KnowledgeReferenceResultSchema, { method: 'GET', path: '/api/knowledge/references', query: { ...query } }),
    knowledgeRead: (query) => call(KnowledgeFileSchema, { method: 'GET', path: '/api/knowledge/read', query: { ...query } }),
    events: (options = {}) => streamEvents(transport, options),
  };
}

function listQuery(query: JobListQuery): TransportRequest['query'] {
  const status = Array.isArray(query.status) ? query.status.join(',') : query.status;
  return { ...query, status };
}

async function* streamEvents(transport: Transport, options: EventStreamOptions): AsyncIterable<FlotillaEvent> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const stream = await transport.stream({ method: 'GET', path: '/api/events', headers, signal: options.signal });
  if (stream.status >= 400) {
    let text = '';
    for await (const chunk of stream.chunks) text += chunk;
    throw errorFromEnvelope(stream.status, safeJson(text));
  }
  const parse = createSseParser();
  try {
    for await (const chunk of stream.chunks) {
      for (const message of parse(chunk)) {
        const event = parseEvent(safeJson(message.data));
        if (event) yield event;
      }
    }
  } finally {
    stream.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
