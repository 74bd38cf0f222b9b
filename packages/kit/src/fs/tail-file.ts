import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import createDebug from 'debug';
import { errnoCode } from '../internal/errors.js';

const debug = createDebug('kit:fs');

/** Bytes read per step; a backlog is delivered in batches of about this size. */
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface TailFileOptions {
  /** Byte offset to start from (default 0); must be at a line start, e.g. a saved `offset()`. */
  fromOffset?: number;
  /**
   * Receives complete lines (without `\n`) in file order, with the byte offset just past the last
   * one. The next batch waits until a returned promise settles.
   */
  onLines: (lines: string[], endOffset: number) => void | Promise<void>;
  /** Poll interval of the fallback that covers missed or unsupported watch events (default 25). */
  pollMs?: number;
  /** Errors from `onLines` or from reading; default: logged under `kit:fs`. Following continues. */
  onError?: (error: unknown) => void;
}

export interface FileFollower extends AsyncDisposable {
  /** Offset just past the last line delivered — where to resume after a restart. */
  offset(): number;
  /** Stops following; resolves once an in-flight `onLines` has returned. */
  close(): Promise<void>;
}

/**
 * Follows an append-only line file (`events.jsonl`): delivers each complete line once, keeps a
 * partial last line buffered until its newline arrives, waits for the file when it does not
 * exist yet, and starts over from 0 when it shrinks (truncated). Uses `fs.watch` for latency
 * and a `pollMs` poll as the fallback.
 *
 * @example
 * const follower = tailFile(eventsPath, { fromOffset: saved, onLines: (lines, end) => ingest(lines, end) });
 * await follower.close();
 */
export function tailFile(path: string, options: TailFileOptions): FileFollower {
  const state = new Follower(path, options);
  state.start();
  return {
    offset: () => state.committed,
    close: () => state.close(),
    [Symbol.asyncDispose]: () => state.close(),
  };
}

class Follower {
  committed: number;
  private readPos: number;
  private partial: Buffer = Buffer.alloc(0);
  private handle: FileHandle | undefined;
  private watcher: FSWatcher | undefined;
  private watchingFile = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly options: TailFileOptions,
  ) {
    this.committed = options.fromOffset ?? 0;
    this.readPos = this.committed;
  }

  start(): void {
    this.timer = setInterval(() => this.pump(), this.options.pollMs ?? 25);
    this.watchDirectory();
    this.pump();
  }

  async close(): Promise<void> {
    if (this.closed) return this.running;
    this.closed = true;
    clearInterval(this.timer);
    this.watcher?.close();
    await this.running;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }

  /** Coalesces wake-ups: one read loop at a time, re-run once if woken while busy. */
  private pump(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.readAvailable();
        } catch (error) {
          this.report(error);
        }
      } while (this.again && !this.closed);
      this.running = undefined;
    })();
  }

  private async readAvailable(): Promise<void> {
    const handle = await this.ensureOpen();
    if (!handle) return;
    const { size } = await handle.stat();
    if (size < this.readPos) {
      debug('%s shrank from %d to %d bytes; following from 0', this.path, this.readPos, size);
      this.readPos = 0;
      this.committed = 0;
      this.partial = Buffer.alloc(0);
    }
    while (this.readPos < size && !this.closed) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - this.readPos));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.readPos);
      if (bytesRead === 0) break;
      this.readPos += bytesRead;
      await this.consume(buffer.subarray(0, bytesRead));
    }
  }

  private async consume(chunk: Buffer): Promise<void> {
    const data = this.partial.length === 0 ? chunk : Buffer.concat([this.partial, chunk]);
    const last = data.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.partial = Buffer.from(data);
      return;
    }
    const lines = data.subarray(0, last).toString('utf8').split('\n');
    this.partial = Buffer.from(data.subarray(last + 1));
    const endOffset = this.readPos - this.partial.length;
    try {
      await this.options.onLines(lines, endOffset);
    } catch (error) {
      this.report(error);
    }
    this.committed = endOffset;
  }

  private async ensureOpen(): Promise<FileHandle | undefined> {
    if (this.handle) return this.handle;
    try {
      this.handle = await open(this.path, 'r');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    if (this.closed) {
      await this.handle.close();
      this.handle = undefined;
      return undefined;
    }
    this.watchFile();
    return this.handle;
  }

  /** Until the file exists, watch its directory for it to appear (the poll covers a missing directory). */
  private watchDirectory(): void {
    try {
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.pump();
      });
      this.watcher.on('error', () => this.dropWatcher());
    } catch {
      this.watcher = undefined;
    }
  }

  private watchFile(): void {
    if (this.watchingFile) return;
    this.watchingFile = true;
    this.watcher?.close();
    try {
      this.watcher = watch(this.path, { persistent: false }, () => this.pump());
      this.watcher.on('error', () => this.dropWatcher());
    } catch {
      this.watcher = undefined;
    }
  }

  private dropWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private report(error: unknown): void {
    if (this.options.onError) this.options.onError(error);
    else debug('tail %s: %O', this.path, error);
  }
}
