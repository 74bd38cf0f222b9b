/**
 * A socket-like Duplex that exists at once and is backed by an SSH channel once ssh2 has opened
 * it. node's http.Agent counts a connection against `maxSockets` only when `createConnection`
 * returns it synchronously (an async callback lets every queued request open its own), so the
 * pool hands the agent this wrapper and the channel follows.
 */
import { Duplex } from 'node:stream';

type WriteCallback = (error?: Error | null) => void;

export class LazyChannel extends Duplex {
  private channel: Duplex | null = null;
  private readonly pending: Array<{ chunk: Buffer; callback: WriteCallback }> = [];
  private pendingFinal: WriteCallback | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private idleMs = 0;

  constructor(opening: Promise<Duplex>) {
    super();
    opening.then(
      (channel) => this.attach(channel),
      (error: Error) => this.destroy(error),
    );
  }

  private attach(channel: Duplex): void {
    if (this.destroyed) {
      channel.destroy();
      return;
    }
    this.channel = channel;
    channel.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) channel.pause();
    });
    channel.once('end', () => this.push(null));
    channel.once('error', (error: Error) => this.destroy(error));
    channel.once('close', () => this.destroy());
    for (const { chunk, callback } of this.pending.splice(0)) channel.write(chunk, callback);
    if (this.pendingFinal !== null) channel.end(this.pendingFinal);
  }

  override _read(): void {
    this.channel?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.touch();
    if (this.channel === null) this.pending.push({ chunk, callback });
    else this.channel.write(chunk, callback);
  }

  override _final(callback: WriteCallback): void {
    if (this.channel === null) this.pendingFinal = callback;
    else this.channel.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.channel?.destroy();
    for (const { callback: written } of this.pending.splice(0)) written(error ?? new Error('channel closed'));
    callback(error);
  }

  /** As net.Socket: emit `timeout` after `ms` without traffic (http.Agent closes idle sockets so). */
  setTimeout(ms: number, callback?: () => void): this {
    // As net.Socket: 0 with a callback removes that listener (http's agent relies on it per request).
    if (callback !== undefined) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    this.idleMs = ms;
    this.touch();
    return this;
  }

  private touch(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
      this.idleTimer.unref();
    }
  }

  // net.Socket methods http's agent calls; a channel has nothing to set.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
