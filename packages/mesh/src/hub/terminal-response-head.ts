/**
 * Reads an HTTP/1.1 response's status line and headers from a raw stream (the daemon's answer to a
 * WebSocket handshake), leaving the stream paused with whatever came after the head in `rest`.
 */
import type { Duplex } from 'node:stream';

/** A handshake answer is a few hundred bytes; anything near this is not one. */
const MAX_HEAD_BYTES = 16 * 1024;
/** The daemon answers a handshake at once (it looks the session up in its store first). */
const HEAD_TIMEOUT_MS = 15_000;

export interface ResponseHead {
  status: number;
  /** Header names lowercased, in order. */
  headers: [string, string][];
  /** Bytes read after the blank line (the first frames, if the daemon was quick). */
  rest: Buffer;
}

export function readResponseHead(stream: Duplex, timeoutMs = HEAD_TIMEOUT_MS): Promise<ResponseHead> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const finish = (error: Error | null, head?: ResponseHead): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('error', onError);
      stream.off('close', onClose);
      stream.pause();
      if (error) reject(error);
      else resolve(head!);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) finish(new Error(`no end of the response head in ${MAX_HEAD_BYTES} bytes`));
        return;
      }
      const parsed = parseHead(buffered.subarray(0, end).toString('latin1'));
      if (!parsed) return finish(new Error(`not an HTTP response: ${JSON.stringify(buffered.subarray(0, 40).toString('latin1'))}`));
      finish(null, { ...parsed, rest: buffered.subarray(end + 4) });
    };
    const onError = (error: Error): void => finish(error);
    const onClose = (): void => finish(new Error('the stream closed before the response head'));
    const timer = setTimeout(() => finish(new Error(`no response head in ${timeoutMs} ms`)), timeoutMs);
    stream.on('data', onData);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

export function parseHead(text: string): Omit<ResponseHead, 'rest'> | null {
  const [statusLine, ...lines] = text.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine ?? '');
  if (!match) return null;
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(match[1]), headers };
}
