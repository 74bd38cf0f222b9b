/**
 * Tests only: the fake model's script as a function of each request, on top of testkit's fake
 * Anthropic and OpenAI servers. The real CLIs send the director's prompt (which carries the ticket's
 * marker `ticket:NAME`) and the `model` they were given; `decide` answers per request — a Write tool
 * use, a final text, a 429 with Anthropic's unified rate-limit headers, a 401, a 529, or a reply cut
 * at `max_tokens` (which Claude Code reports as `max_output_tokens`, a task failure in cb's words).
 *
 * How: testkit's `routeBy` asks for a key per main-loop request; the key's one-step script is set
 * to the decided step just before the server reads it (both happen in one synchronous call).
 */
import { unifiedRateLimitHeaders, type AnthropicStep, type FakeServer, type RecordedRequest, type StepBase } from '@flotilla/testkit';
import { z } from 'zod';

/** The marker a ticket's title carries so the fake can tell whose prompt it reads. */
export const TICKET_MARKER = /\bticket:([a-z0-9-]+)/i;
/** cb doctor's live credential probe (`probeCredential` in packages/cb/src/daemon/doctor.ts). */
const PROBE_PROMPT = 'Reply with the single word OK.';
const DECIDED_KEY = 'decided';

const MessagesBodySchema = z.object({
  model: z.string().default('(none)'),
  messages: z.array(z.object({ role: z.string(), content: z.union([z.string(), z.array(z.object({ type: z.string() }).passthrough())]) })).default([]),
});
const ResponsesBodySchema = z.object({ model: z.string().default('(none)'), input: z.array(z.unknown()).default([]) });

/** What one main-loop request asks of the model. */
export interface ModelRequest {
  /** The ticket marker found in the conversation, or null (cb doctor's probe, another prompt). */
  ticket: string | null;
  /** The request's `model` field, as the CLI resolved the job's `--model`. */
  model: string;
  /** The conversation's last message is a tool result: the model is answering after its tool ran. */
  afterTool: boolean;
  /** cb doctor's credential probe. */
  probe: boolean;
  /** The CLI run it belongs to (Claude Code's `x-claude-code-session-id`; Codex: null). */
  session: string | null;
  /** The whole conversation as JSON (to look for more than the marker). */
  text: string;
  /** When the request arrived (epoch ms). */
  at: number;
}

/** One answer: what the log calls it, and the step the fake plays. */
export interface ModelAnswer<TStep> {
  label: string;
  step: TStep;
}

export interface ModelLogEntry {
  ticket: string | null;
  session: string | null;
  model: string;
  label: string;
  at: number;
}

export interface ScriptedModel {
  /** Every main-loop request answered, in order. */
  log: ModelLogEntry[];
  /** The log entries of one ticket. */
  of(ticket: string): ModelLogEntry[];
}

/** Reads an Anthropic Messages request. */
export function anthropicRequestFacts(request: RecordedRequest): ModelRequest {
  const body = MessagesBodySchema.safeParse(request.body);
  const messages = body.success ? body.data.messages : [];
  const text = JSON.stringify(messages);
  const last = messages.at(-1);
  const afterTool = Array.isArray(last?.content) && last.content.some((block) => block.type === 'tool_result');
  const session = request.headers['x-claude-code-session-id'];
  return { ticket: TICKET_MARKER.exec(text)?.[1] ?? null, model: body.success ? body.data.model : '(unreadable)', afterTool, probe: text.includes(PROBE_PROMPT), session: typeof session === 'string' ? session : null, text, at: request.receivedAt };
}

/** Reads an OpenAI Responses request (Codex). */
export function openaiRequestFacts(request: RecordedRequest): ModelRequest {
  const body = ResponsesBodySchema.safeParse(request.body);
  const input = body.success ? body.data.input : [];
  const text = JSON.stringify(input);
  const afterTool = JSON.stringify(input.at(-1) ?? null).includes('function_call_output');
  return { ticket: TICKET_MARKER.exec(text)?.[1] ?? null, model: body.success ? body.data.model : '(unreadable)', afterTool, probe: text.includes(PROBE_PROMPT), session: null, text, at: request.receivedAt };
}

/**
 * Makes `server` answer every main-loop request with what `decide` says.
 *
 * @example
 * const model = scriptModel(fleet.anthropic, anthropicRequestFacts, (r) => r.afterTool ? finalText() : writeTicketFile(r.ticket ?? 'x'));
 */
export function scriptModel<TStep extends StepBase>(
  server: FakeServer<readonly TStep[]>,
  factsOf: (request: RecordedRequest) => ModelRequest,
  decide: (request: ModelRequest) => ModelAnswer<TStep>,
): ScriptedModel {
  const log: ModelLogEntry[] = [];
  server.routeBy((request) => {
    const facts = factsOf(request);
    const answer = decide(facts);
    log.push({ ticket: facts.ticket, session: facts.session, model: facts.model, label: answer.label, at: facts.at });
    server.setScenarioFor(DECIDED_KEY, [answer.step]);
    return DECIDED_KEY;
  });
  return { log, of: (ticket) => log.filter((entry) => entry.ticket === ticket) };
}

/** The file a ticket's agent writes in its worktree. */
export function ticketFile(ticket: string): string {
  return `${ticket}.txt`;
}

/** The model writes `<ticket>.txt` in its working directory with the real Write tool. */
export function writeTicketFile(ticket: string): ModelAnswer<AnthropicStep> {
  const input = { file_path: ticketFile(ticket), content: `work for ticket ${ticket}\n` };
  return { label: 'write', step: { text: `Writing ${ticketFile(ticket)}.`, toolUses: [{ name: 'Write', input }] } };
}

export function finalText(text = 'Done: the file is written.'): ModelAnswer<AnthropicStep> {
  return { label: 'final', step: { text } };
}

/** A subscription usage limit: 429 with the unified headers, so the CLI reports `resetsAt` (epoch ms, rounded up to seconds). */
export function rateLimited(resetsAtMs: number): ModelAnswer<AnthropicStep> {
  const headers = unifiedRateLimitHeaders({ resetsAt: Math.ceil(resetsAtMs / 1000) });
  return { label: '429', step: { status: 429, type: 'rate_limit_error', message: 'Rate limited', headers } };
}

export function authFailed(): ModelAnswer<AnthropicStep> {
  return { label: '401', step: { status: 401, type: 'authentication_error', message: 'OAuth token has expired' } };
}

export function overloaded(): ModelAnswer<AnthropicStep> {
  return { label: '529', step: { status: 529, type: 'overloaded_error', message: 'Overloaded' } };
}

/** A reply cut at `max_tokens`: Claude Code retries it, then ends `max_output_tokens`, which cb classifies as `task`. */
export function outputCutOff(): ModelAnswer<AnthropicStep> {
  return { label: 'max_tokens', step: { text: 'Let me think about this at length', stopReason: 'max_tokens' } };
}

/** Whether a resolved model name is on the Sonnet or the Opus rung of the ladder. */
export function rungOf(model: string): 'sonnet' | 'opus' | 'other' {
  if (/sonnet/i.test(model)) return 'sonnet';
  if (/opus/i.test(model)) return 'opus';
  return 'other';
}
