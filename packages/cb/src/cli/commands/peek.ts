import { StringDecoder } from 'node:string_decoder';
import { errorFromEnvelope, TERMINAL_ERROR_HEADER, TerminalServerMessageSchema, type FlotillaClient, type Peek } from '@flotilla/protocol';
import { formatPeek } from '../format/session.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface PeekOptions {
  client: FlotillaClient;
  streams: CliStreams;
  name: string;
  lines?: number;
  json?: boolean;
}

/** `cb peek NAME`: the session's current screen (the last N lines), without attaching. */
export async function peek(options: PeekOptions): Promise<Peek> {
  const result = await options.client.peek(options.name, options.lines === undefined ? {} : { lines: options.lines });
  if (options.json) printJson(options.streams.stdout, result);
  else printLine(options.streams.stdout, formatPeek(result));
  return result;
}

export interface PeekFollowOptions {
  streams: CliStreams;
  /** The daemon's unix socket. */
  socketPath: string;
  name: string;
  /** Stops following (default: Ctrl-C, SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

/** Modes a TUI may have left on in the viewer's terminal: attributes, cursor, alternate screen, bracketed paste, mouse. */
const RESTORE_TERMINAL = '\x1b[0m\x1b[?25h\x1b[?1049l\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\r\n';

/**
 * `cb peek NAME --follow`: the session's live terminal stream over the daemon's unix socket (the
 * WebSocket at /api/sessions/NAME/terminal, read-only): its current screen, then its output as it
 * is written, until Ctrl-C or the session exits. Returns how it ended.
 */
export async function peekFollow(options: PeekFollowOptions): Promise<'exited' | 'interrupted' | 'closed'> {
  const { WebSocket } = await import('ws');
  const { stdout, stderr } = options.streams;
  const url = `ws+unix://${options.socketPath}:/api/sessions/${encodeURIComponent(options.name)}/terminal`;
  const ws = new WebSocket(url, { headers: { host: 'localhost' } });
  const decoder = new StringDecoder('utf8');
  let wroteScreen = false;
  const restore = (): void => {
    const tail = decoder.end();
    if (tail) stdout.write(tail);
    if (wroteScreen && stdout.isTTY) stdout.write(RESTORE_TERMINAL);
  };
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  const signal = options.signal ?? interrupt.signal;
  if (!options.signal) for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, onSignal);
  try {
    return await new Promise<'exited' | 'interrupted' | 'closed'>((resolve, reject) => {
      let ended: 'exited' | 'interrupted' | 'closed' = 'closed';
      const stop = (): void => {
        ended = 'interrupted';
        ws.close(1000, 'viewer left');
        // A close handshake that does not finish must not keep the viewer waiting.
        setTimeout(() => ws.terminate(), 500).unref();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      ws.on('unexpected-response', (_request, response) => {
        const header = response.headers[TERMINAL_ERROR_HEADER];
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          const text = typeof header === 'string' ? safeDecode(header) : body;
          reject(errorFromEnvelope(response.statusCode ?? 0, safeJson(text) ?? text));
        });
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const parsed = TerminalServerMessageSchema.safeParse(safeJson(String(data)));
        if (!parsed.success) return;
        const message = parsed.data;
        if (message.type === 'output') {
          wroteScreen = true;
          stdout.write(decoder.write(Buffer.from(message.data, 'base64')));
        } else if (message.type === 'exit') {
          ended = 'exited';
        } else if (message.type === 'error') {
          printLine(stderr, `cb: ${message.message}`);
        }
      });
      ws.on('close', () => resolve(ended));
      ws.on('error', (error) => reject(error));
    });
  } finally {
    restore();
    if (!options.signal) for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, onSignal);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
