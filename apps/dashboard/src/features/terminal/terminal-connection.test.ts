import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBackoff } from './backoff';
import type { ProbeResult } from './refusal';
import { TerminalConnection, type SocketLike, type TerminalStatus } from './terminal-connection';

/** A socket the test drives: frames in with `receive`, a drop with `drop`. */
class FakeSocket implements SocketLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  readyState = 1;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
  receive(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
}

const hello = (readOnly: boolean) => ({ type: 'hello', target: { kind: 'session', id: 's1', name: 'rev' }, cols: 200, rows: 50, readOnly, encoding: 'base64' });

function setup(probe: ProbeResult = { status: null, body: null }) {
  const sockets: FakeSocket[] = [];
  const statuses: TerminalStatus[] = [];
  const output: number[][] = [];
  const refused: string[] = [];
  const connection = new TerminalConnection({
    name: 'rev',
    origin: { protocol: 'http:', host: '127.0.0.1:8787' },
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    probe: () => Promise.resolve(probe),
    backoff: createBackoff({ minMs: 500, maxMs: 10_000, jitter: 0 }),
    events: {
      status: (status) => statuses.push(status),
      hello: () => undefined,
      output: (bytes) => output.push([...bytes]),
      notice: () => undefined,
      inputRefused: (message) => refused.push(message),
    },
  });
  return { connection, sockets, statuses, output, refused, last: () => sockets.at(-1)! };
}

describe('TerminalConnection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('should feed output bytes and reconnect with backoff when the stream drops', async () => {
    const t = setup();
    t.connection.start();
    t.last().receive(hello(true));
    t.last().receive({ type: 'output', data: Buffer.from('hi').toString('base64') });
    expect(t.output).toEqual([[0x68, 0x69]]);
    expect(t.statuses.at(-1)).toEqual({ kind: 'live', readOnly: true, cols: 200, rows: 50 });

    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.statuses.at(-1)).toMatchObject({ kind: 'reconnecting', inMs: 500, attempt: 1 });
    await vi.advanceTimersByTimeAsync(500);
    expect(t.sockets).toHaveLength(2);

    // Refused while the daemon is down: the probe cannot reach it either, so the delay doubles.
    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.statuses.at(-1)).toMatchObject({ kind: 'reconnecting', inMs: 1000, reason: 'the daemon cannot be reached' });
    await vi.advanceTimersByTimeAsync(1000);
    t.last().receive(hello(true));
    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.statuses.at(-1)).toMatchObject({ kind: 'reconnecting', inMs: 500 });
    t.connection.stop();
  });

  it('should stop at exit and never reconnect', async () => {
    const t = setup();
    t.connection.start();
    t.last().receive(hello(true));
    t.last().receive({ type: 'exit', reason: 'exited', state: 'exited' });
    expect(t.statuses.at(-1)).toEqual({ kind: 'ended', reason: 'session ended (exited)' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.sockets[0]!.closed).toBe(true);
  });

  it('should send input only after an unlock reached hello, and drop the token when typing is refused', async () => {
    const t = setup({ status: 400, body: { error: { code: 'BAD_REQUEST', message: 'this is a WebSocket endpoint' } } });
    t.connection.start();
    t.last().receive(hello(true));
    t.connection.send('{"type":"input","data":"eA=="}');
    expect(t.last().sent).toEqual([]);

    t.connection.unlock('wrong');
    expect(new URL(t.last().url).searchParams.get('token')).toBe('wrong');
    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.refused).toHaveLength(1);
    expect(new URL(t.last().url).searchParams.has('token')).toBe(false);

    t.connection.unlock('right');
    t.last().receive(hello(false));
    t.connection.send('{"type":"input","data":"eA=="}');
    expect(t.last().sent).toEqual(['{"type":"input","data":"eA=="}']);
    t.connection.lock();
    expect(new URL(t.last().url).search).toBe('');
    t.connection.stop();
  });

  it('should give up with the daemon’s words when the session cannot be streamed', async () => {
    const t = setup({ status: 409, body: { error: { code: 'SESSION_NOT_RUNNING', message: 'session rev has exited' } } });
    t.connection.start();
    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.statuses.at(-1)).toEqual({ kind: 'unavailable', reason: 'session rev has exited' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
  });
});
