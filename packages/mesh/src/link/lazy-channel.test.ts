import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LazyChannel } from './lazy-channel.js';

/** A channel stand-in: what is written to it comes out of `sent`; `reply` feeds what it reads. */
function fakeChannel(): { channel: Duplex; sent: string[]; reply: PassThrough } {
  const sent: string[] = [];
  const reply = new PassThrough();
  const channel = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      sent.push(chunk.toString());
      callback();
    },
    read() {},
  });
  reply.on('data', (chunk: Buffer) => channel.push(chunk));
  reply.on('end', () => channel.push(null));
  return { channel, sent, reply };
}

describe('LazyChannel', () => {
  it('should keep writes made before the channel opens, in order, then pass data both ways', async () => {
    const { channel, sent, reply } = fakeChannel();
    let open = (_channel: Duplex) => {};
    const lazy = new LazyChannel(new Promise((resolve) => (open = resolve)));
    lazy.write('GET / ');
    lazy.write('HTTP/1.1\r\n');
    expect(sent).toEqual([]);
    open(channel);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.join('')).toBe('GET / HTTP/1.1\r\n');
    const received: string[] = [];
    lazy.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    reply.end('HTTP/1.1 200 OK\r\n');
    await new Promise((resolve) => lazy.once('end', resolve));
    expect(received.join('')).toBe('HTTP/1.1 200 OK\r\n');
  });

  it('should fail with the opening error, and close a channel that opens after it was destroyed', async () => {
    const failed = new LazyChannel(Promise.reject(new Error('the link is down')));
    await expect(new Promise((_resolve, reject) => failed.once('error', reject))).rejects.toThrow('the link is down');

    const { channel } = fakeChannel();
    let open = (_channel: Duplex) => {};
    const lazy = new LazyChannel(new Promise((resolve) => (open = resolve)));
    lazy.destroy();
    open(channel);
    await new Promise((resolve) => setImmediate(resolve));
    expect(channel.destroyed).toBe(true);
  });

  it('should emit timeout after the idle time set, as a socket does for http.Agent', async () => {
    const { channel } = fakeChannel();
    const lazy = new LazyChannel(Promise.resolve(channel));
    const timedOut = new Promise<void>((resolve) => lazy.setTimeout(30, resolve));
    await timedOut;
    lazy.destroy();
  });
});
