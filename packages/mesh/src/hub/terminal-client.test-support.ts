// Tests only: a small WebSocket client (RFC 6455: the handshake, masked text frames out, unmasked
// frames in) — node 20 has no WebSocket without a flag and mesh does not depend on `ws`. It speaks
// to the hub as a browser would, over TCP or the hub's unix socket.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { TerminalServerMessageSchema, type TerminalServerMessage } from '@flotilla/protocol';
import { readResponseHead } from './terminal-response-head.js';

export interface TerminalClient {
  /** The server's messages so far, parsed. */
  messages: TerminalServerMessage[];
  /** Resolves when a message matching `test` arrived (or one already has). */
  waitFor(what: string, test: (message: TerminalServerMessage) => boolean, timeoutMs?: number): Promise<TerminalServerMessage>;
  /** Every `output` so far, decoded and joined. */
  screen(): string;
  sendJson(value: unknown): void;
  close(): void;
}

export type Refused = { refused: true; status: number; error: string | null };

export async function openTerminal(options: { url: string; socketPath?: string; headers?: Record<string, string> }): Promise<TerminalClient | Refused> {
  const url = new URL(options.url);
  const socket = options.socketPath ? connect({ path: options.socketPath }) : connect({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const key = randomBytes(16).toString('base64');
  const headers = { host: url.host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13', ...options.headers };
  socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  const head = await readResponseHead(socket);
  if (head.status !== 101) {
    socket.destroy();
    const error = head.headers.find(([name]) => name === 'x-flotilla-error')?.[1];
    return { refused: true, status: head.status, error: error ? decodeURIComponent(error) : null };
  }
  const accept = head.headers.find(([name]) => name === 'sec-websocket-accept')?.[1];
  const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  if (accept !== expected) throw new Error(`wrong Sec-WebSocket-Accept: ${accept}`);
  return clientOn(socket, head.rest);
}

function clientOn(socket: Socket, first: Buffer): TerminalClient {
  const messages: TerminalServerMessage[] = [];
  const waiters = new Set<() => void>();
  let buffered = first;
  const onBytes = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let frame = takeFrame(buffered); frame; frame = takeFrame(buffered)) {
      buffered = frame.rest;
      if (frame.opcode === 1) messages.push(TerminalServerMessageSchema.parse(JSON.parse(frame.payload.toString('utf8'))));
      for (const wake of waiters) wake();
    }
  };
  socket.on('data', onBytes);
  socket.resume();
  if (first.length > 0) onBytes(Buffer.alloc(0));
  return {
    messages,
    waitFor: (what, test, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = messages.find(test);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages.map((m) => m.type))}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    screen: () => messages.map((m) => (m.type === 'output' ? Buffer.from(m.data, 'base64').toString('utf8') : '')).join(''),
    sendJson: (value) => socket.write(maskedTextFrame(JSON.stringify(value))),
    close: () => socket.destroy(),
  };
}

function takeFrame(buffer: Buffer): { opcode: number; payload: Buffer; rest: Buffer } | null {
  if (buffer.length < 2) return null;
  let length = buffer[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return null;
  return { opcode: buffer[0]! & 0x0f, payload: buffer.subarray(offset, offset + length), rest: buffer.subarray(offset + length) };
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = randomBytes(4);
  const size = payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81]), size, mask, masked]);
}
