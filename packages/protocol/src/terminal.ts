/**
 * The live terminal stream: the WebSocket at `/api/sessions/:id/terminal` (a session's id or name)
 * and `/api/jobs/:id/terminal` (the running attempt of a job). Every frame is one JSON text message.
 *
 * Server → client: `hello` first (the pane's fixed size, whether input is allowed), then `output`
 * frames — the first holds the current screen (a clear-and-home sequence, the screen with its
 * colours, the cursor put back), the rest the pane's raw bytes as the program wrote them — then
 * `exit` when the session or attempt ends, after its last output. `error` answers a bad or refused
 * client message and never closes the stream by itself.
 *
 * Client → server: `input` (only when connected with `?input=1`, which needs the daemon's full
 * token) and `resize`, which is accepted and ignored: Flotilla fixes the pane size, a viewer never
 * resizes the agent's screen; a viewer of another size should scale or scroll.
 *
 * `data` is base64 in both directions: the pane's bytes need not be valid UTF-8 (a chunk may end
 * inside a character, a program may print any byte), and input must reach the pane byte-exact.
 */
import { z } from 'zod';

/**
 * A refused upgrade (unknown session, job not running, input without the full token) is an HTTP
 * error whose body a WebSocket client may never see: the error envelope is also in this response
 * header, as URI-encoded JSON.
 */
export const TERMINAL_ERROR_HEADER = 'x-flotilla-error';

/** Largest decoded `input` accepted in one message. */
export const MAX_TERMINAL_INPUT_BYTES = 64 * 1024;

const Base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

export const TERMINAL_ERROR_CODES = [
  /** Not JSON, or not one of the client messages. */
  'BAD_MESSAGE',
  /** Input on a read-only stream. */
  'READ_ONLY',
  /** tmux did not take the input (the pane is gone). */
  'INPUT_FAILED',
  /** The stream could not start or had to stop (no pane, or an internal failure). */
  'STREAM_FAILED',
] as const;
export const TerminalErrorCodeSchema = z.enum(TERMINAL_ERROR_CODES);
export type TerminalErrorCode = z.infer<typeof TerminalErrorCodeSchema>;

export const TerminalHelloSchema = z.object({
  type: z.literal('hello'),
  /** What is streamed: a session (its name) or a job attempt (`<job id>#<attempt>`). */
  target: z.object({ kind: z.enum(['session', 'job']), id: z.string(), name: z.string() }),
  /** The pane's size, fixed by Flotilla. */
  cols: z.number().int().positive(),
  rows: z.number().int().positive(),
  readOnly: z.boolean(),
  encoding: z.literal('base64'),
});

export const TerminalOutputSchema = z.object({ type: z.literal('output'), data: Base64Schema });

export const TerminalExitSchema = z.object({
  type: z.literal('exit'),
  /** `exited`: the agent or attempt ended; `gone`: its pane disappeared; `closing`: the daemon is stopping. */
  reason: z.enum(['exited', 'gone', 'closing']),
  /** The session's state or the attempt's status at the end, when known. */
  state: z.string().nullable(),
});

export const TerminalErrorSchema = z.object({ type: z.literal('error'), code: TerminalErrorCodeSchema, message: z.string() });

export const TerminalServerMessageSchema = z.discriminatedUnion('type', [TerminalHelloSchema, TerminalOutputSchema, TerminalExitSchema, TerminalErrorSchema]);
export type TerminalServerMessage = z.infer<typeof TerminalServerMessageSchema>;
export type TerminalHello = z.infer<typeof TerminalHelloSchema>;

export const TerminalInputSchema = z.object({
  type: z.literal('input'),
  data: Base64Schema.refine((s) => Math.floor((s.length * 3) / 4) <= MAX_TERMINAL_INPUT_BYTES + 2, `input is at most ${MAX_TERMINAL_INPUT_BYTES} bytes`),
});

/** Accepted and ignored: the pane keeps Flotilla's size. */
export const TerminalResizeSchema = z.object({
  type: z.literal('resize'),
  cols: z.number().int().positive().max(10_000),
  rows: z.number().int().positive().max(10_000),
});

export const TerminalClientMessageSchema = z.discriminatedUnion('type', [TerminalInputSchema, TerminalResizeSchema]);
export type TerminalClientMessage = z.infer<typeof TerminalClientMessageSchema>;
