/**
 * Follows a growing file as raw bytes (a pane log): pushed by `fs.watch`, with a slow poll as the
 * fallback for missed events. Unlike the kit's line follower it delivers partial lines at once
 * (a prompt without a newline must show). A file that shrinks was rotated (truncated in place by
 * the pane log's writer): following goes on from 0.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import createDebug from 'debug';

const debug = createDebug('cb:follow-bytes');

const CHUNK_BYTES = 256 * 1024;

export interface FollowBytesOptions {
  /** Where to start (default: the end of the file as it is now, i.e. only new bytes). */
  fromOffset?: number;
  /** Receives each chunk in file order; the next read waits until a returned promise settles. */
  onData(chunk: Buffer): void | Promise<void>;
  /** Poll interval of the fallback (default 250 ms); watch events normally come first. */
  pollMs?: number;
}

export interface BytesFollower {
  /** Reads whatever is there now (e.g. before announcing an end) and resolves when delivered. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export function followBytes(path: string, options: FollowBytesOptions): BytesFollower {
  let position = options.fromOffset ?? sizeNow(path);
  let handle: FileHandle | undefined;
  let watcher: FSWatcher | undefined;
  let watchingFile = false;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const ensureOpen = async (): Promise<FileHandle | undefined> => {
    if (handle) return handle;
    try {
      handle = await open(path, 'r');
    } catch {
      return undefined;
    }
    if (closed) {
      await handle.close();
      handle = undefined;
      return undefined;
    }
    if (!watchingFile) {
      watchingFile = true;
      watcher?.close();
      watcher = tryWatch(path, () => pump());
    }
    return handle;
  };

  const readAvailable = async (): Promise<void> => {
    const h = await ensureOpen();
    if (!h) return;
    const { size } = await h.stat();
    if (size < position) {
      debug('%s shrank from %d to %d bytes (rotated); following from 0', path, position, size);
      position = 0;
    }
    while (position < size && !closed) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - position));
      const { bytesRead } = await h.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      try {
        await options.onData(buffer.subarray(0, bytesRead));
      } catch (error) {
        debug('onData for %s failed: %O', path, error);
      }
    }
  };

  /** One read loop at a time; a wake-up while busy runs it once more. */
  const pump = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await readAvailable();
        } catch (error) {
          debug('reading %s failed: %O', path, error);
        }
      } while (again && !closed);
      running = undefined;
    })();
    return running;
  };

  const name = basename(path);
  watcher = tryWatch(dirname(path), (file) => {
    if (file === null || file === name) void pump();
  });
  const timer = setInterval(() => void pump(), options.pollMs ?? 250);
  timer.unref();
  void pump();

  return {
    async drain() {
      await pump();
      // A wake-up that arrived during the last loop has run too; read once more for what came after.
      await pump();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      watcher?.close();
      await running;
      await handle?.close().catch(() => undefined);
      handle = undefined;
    },
  };
}

function sizeNow(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function tryWatch(target: string, onChange: (file: string | null) => void): FSWatcher | undefined {
  try {
    const w = watch(target, { persistent: false }, (_event, file) => onChange(typeof file === 'string' ? file : null));
    w.on('error', () => w.close());
    return w;
  } catch {
    return undefined;
  }
}
