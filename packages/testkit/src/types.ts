/**
 * Scenario and server types shared by the fake Anthropic and OpenAI servers.
 *
 * A scenario is an ordered list of steps. Only main-loop requests (a body with a non-empty
 * `tools` array) consume steps; side requests (title generation, quota checks) get a short text
 * reply. When the script runs out, every further main-loop request gets the final text `done`.
 */

/** Shared by every step. */
export interface StepBase {
  /**
   * How many main-loop requests this step answers before the script moves on (default 1).
   * `'forever'` (or `Infinity`) never moves on: `{ status: 429, …, repeat: 'forever' }`.
   */
  repeat?: number | 'forever';
  /** Wait this long before answering (headers included). */
  delayMs?: number;
}

/** One tool call the fake model makes. `id` defaults to a generated `toolu_fake_…`/`call_fake_…`. */
export interface ToolUse {
  name: string;
  input: Record<string, unknown>;
  id?: string;
}

/** A normal model reply: optional text followed by zero or more tool calls. */
export interface ReplyStep<TUsage> extends StepBase {
  text?: string;
  toolUses?: ToolUse[];
  /** Merged over the default usage of the wire format. */
  usage?: Partial<TUsage>;
  /** Anthropic only. Defaults to `tool_use` when there are tool calls, else `end_turn`. */
  stopReason?: string;
  /** Extra response headers (e.g. `anthropic-ratelimit-unified-status: allowed_warning`). */
  headers?: Record<string, string>;
}

/** An HTTP error answer: `status` with the provider's JSON error envelope. */
export interface ErrorStep extends StepBase {
  status: number;
  /** Anthropic `error.type` (`rate_limit_error`) or OpenAI `error.type` (`insufficient_quota`). */
  type: string;
  message: string;
  /** OpenAI `error.code`; defaults to `type`. Ignored by the Anthropic fake. */
  code?: string;
  headers?: Record<string, string>;
}

/** Accept the request and never send response headers. */
export interface HangStep extends StepBase {
  hang: true;
}

/** Send headers and the first stream event (`message_start` / `response.created`), then go silent. */
export interface StallStep extends StepBase {
  stallAfterStart: true;
}

/** OpenAI only: a 200 stream that ends in `response.failed` with this error. */
export interface FailedStep extends StepBase {
  failed: { code: string; message: string };
}

/** Anthropic `usage` fields the fake fills in. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** OpenAI Responses usage, flattened; rendered with `*_details` objects on the wire. */
export interface OpenAIUsage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
}

export type AnthropicStep = ReplyStep<AnthropicUsage> | ErrorStep | HangStep | StallStep;
export type OpenAIStep = ReplyStep<OpenAIUsage> | ErrorStep | HangStep | StallStep | FailedStep;

export type AnthropicScenario = readonly AnthropicStep[];
export type OpenAIScenario = readonly OpenAIStep[];

/** How the fake saw a request. `main` requests consume the scenario; `side` ones never do. */
export type RequestKind = 'main' | 'side' | 'other';

/** One request the fake received, in arrival order. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** Raw request target including the query, e.g. `/v1/messages?beta=true`. */
  url: string;
  /** Lower-cased header names, as Node reports them. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, the raw text when it is not JSON, or `undefined` when empty. */
  body: unknown;
  kind: RequestKind;
  /** `Date.now()` when the request body had been read. */
  receivedAt: number;
}

/** A running fake model API; `await using` closes it. */
export interface FakeServer<TScenario> extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (no trailing slash, no `/v1`). */
  url: string;
  port: number;
  /** Every request received so far (live array). */
  requests: RecordedRequest[];
  /** Replace the script and restart it from its first step. */
  setScenario(scenario: TScenario): void;
  /**
   * Many clients, one fake: `keyOf` names the client a main request comes from (e.g. from a path in
   * its system prompt); a client with its own script (`setScenarioFor`) plays that one, every other
   * request the shared script. Pass null to go back to one script for all.
   */
  routeBy(keyOf: ((request: RecordedRequest) => string | null) | null): void;
  /** Replace one client's script (see `routeBy`) and restart it from its first step. */
  setScenarioFor(key: string, scenario: TScenario): void;
  /** Stop listening and drop open (hung or stalled) connections. */
  close(): Promise<void>;
}
