import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readdirSync, readSync, unlinkSync, writeSync, writevSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SqliteDatabase } from '@flotilla/kit/sqlite/connection';

/**
 * The indexed text of every file, outside SQLite: one append-only file per generation,
 * `<db>.text.<generation>`, holding each file's bytes as one region. SQLite is the source of
 * truth: `files.text_offset`/`text_length` name a file's live region, `chunks.pos`/`len` its
 * line-aligned pieces (the rows of the trigram index), and the `text_store` row the generation,
 * the committed end and the bytes no live row points at (replaced or removed files).
 *
 * - A new version of a file is appended and its old region becomes dead; nothing is overwritten,
 *   so a reader with any committed snapshot of the index finds its bytes where the snapshot says.
 * - The writer appends before the transaction that points at the bytes commits, and on open cuts
 *   the file back to the committed end: an append torn by a crash (or never committed) is dropped.
 * - When dead bytes pass `COMPACT_DEAD_SHARE` of the file, the live regions are copied into the
 *   next generation's file, the offsets and the generation updated in one transaction, and the old
 *   file unlinked (a reader that still has it open keeps reading it until it sees the new generation).
 *
 * Literal search reads candidate chunks with `pread` into one reused buffer (ranges of nearby
 * chunks in one call) and searches them with `Buffer.indexOf`: no row copies, nothing for the
 * garbage collector.
 */

/** Compaction once dead bytes are more than this share of the file… */
export const COMPACT_DEAD_SHARE = 0.5;
/** …and at least this many bytes (a small index is not worth rewriting). */
export const COMPACT_MIN_DEAD_BYTES = 8 * 1024 * 1024;

/** Appended bytes held before one `writev` (they are always written before the transaction that points at them commits). */
const PENDING_MAX_BYTES = 4 * 1024 * 1024;

/** The path of a generation's text file. */
export function textStorePath(dbPath: string, generation: number): string {
  return `${dbPath}.text.${generation}`;
}

interface StoreMeta {
  generation: number;
  end: number;
  dead: number;
}

function readMeta(sqlite: SqliteDatabase): StoreMeta {
  const row = sqlite.prepare('SELECT generation, end_offset AS "end", dead_bytes AS dead FROM text_store WHERE id = 1').get() as StoreMeta | undefined;
  return row ?? { generation: 0, end: 0, dead: 0 };
}

/** The writer's side: appends regions, counts dead bytes, compacts. Open only under the index's writer lock. */
export interface TextStoreWriter extends Disposable {
  /** Appends `bytes`; returns their offset. Not live until the caller's transaction commits (see `commitMeta`). */
  append(bytes: Buffer): number;
  /** Reads `length` bytes at `position` (appended ones included) into a new buffer. */
  read(position: number, length: number): Buffer;
  /** Counts a region no longer pointed at (its file replaced or removed). */
  release(length: number): void;
  /** Writes the end and dead count into `text_store`; call inside the transaction that points at the appended bytes. */
  commitMeta(): void;
  /** Writes what is pending and flushes the file to disk (after a full pass, before its checkpoint). */
  sync(): void;
  /** Compacts when dead bytes pass the threshold (or `force`); returns whether it did. Call outside a transaction. */
  compactIfNeeded(force?: boolean): boolean;
  readonly meta: Readonly<StoreMeta>;
  close(): void;
}

/**
 * Opens the current generation's text file for appending. Bytes past the committed end (a torn or
 * uncommitted append) are cut off; if the file is shorter than the committed end (lost on a power
 * failure), the files whose regions are gone lose their chunks and are re-read by the next index
 * run. Files of other generations left behind (a compaction that died) are removed.
 */
export function openTextStoreWriter(sqlite: SqliteDatabase, dbPath: string): TextStoreWriter {
  let meta = readMeta(sqlite);
  let fd = openSync(textStorePath(dbPath, meta.generation), constants.O_RDWR | constants.O_CREAT, 0o644);
  const size = fstatSync(fd).size;
  if (size > meta.end) ftruncateSync(fd, meta.end);
  if (size < meta.end) forgetLostRegions(sqlite, size);
  meta = readMeta(sqlite);
  removeOtherGenerations(dbPath, meta.generation);
  let end = meta.end;
  let dead = meta.dead;
  let unsynced = false;
  /** Appended regions not yet written (one writev for many files instead of a write each), from `pendingAt`. */
  let pending: Buffer[] = [];
  let pendingAt = end;
  let pendingBytes = 0;
  const writePending = (): void => {
    let at = pendingAt;
    while (pending.length > 0) {
      // writev takes at most IOV_MAX (1024) buffers; a short write leaves the rest for the next call.
      const batch = pending.slice(0, 1024);
      let written = writevSync(fd, batch, at);
      at += written;
      let done = 0;
      while (done < batch.length && written >= batch[done]!.length) written -= batch[done++]!.length;
      pending = pending.slice(done);
      if (written > 0) pending[0] = pending[0]!.subarray(written);
    }
    pendingAt = end;
    pendingBytes = 0;
  };
  const update = sqlite.prepare('UPDATE text_store SET generation = ?, end_offset = ?, dead_bytes = ? WHERE id = 1');
  const close = (): void => {
    if (fd === -1) return;
    closeSync(fd);
    fd = -1;
  };
  const writer: TextStoreWriter = {
    get meta() {
      return { generation: meta.generation, end, dead };
    },
    append(bytes) {
      const at = end;
      if (bytes.length > 0) pending.push(bytes);
      end += bytes.length;
      pendingBytes += bytes.length;
      unsynced = true;
      if (pendingBytes >= PENDING_MAX_BYTES) writePending();
      return at;
    },
    read(position, length) {
      if (position + length > pendingAt) writePending();
      const buffer = Buffer.allocUnsafe(length);
      readFully(fd, buffer, length, position);
      return buffer;
    },
    release(length) {
      dead += length;
    },
    commitMeta() {
      writePending();
      update.run(meta.generation, end, dead);
    },
    sync() {
      writePending();
      if (!unsynced) return;
      fdatasyncSync(fd);
      unsynced = false;
    },
    compactIfNeeded(force = false) {
      if (!force && (dead < COMPACT_MIN_DEAD_BYTES || dead <= end * COMPACT_DEAD_SHARE)) return false;
      writePending();
      const next = meta.generation + 1;
      const nextPath = textStorePath(dbPath, next);
      const out = openSync(nextPath, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o644);
      let nextEnd = 0;
      const moves: [number, number][] = [];
      try {
        const files = sqlite.prepare('SELECT id, text_offset AS at, text_length AS length FROM files WHERE text_length > 0 ORDER BY text_offset').all() as {
          id: number;
          at: number;
          length: number;
        }[];
        let buffer = Buffer.allocUnsafe(1024 * 1024);
        for (const file of files) {
          if (buffer.length < file.length) buffer = Buffer.allocUnsafe(file.length);
          readFully(fd, buffer, file.length, file.at);
          let written = 0;
          while (written < file.length) written += writeSync(out, buffer, written, file.length - written, nextEnd + written);
          moves.push([file.id, nextEnd - file.at]);
          nextEnd += file.length;
        }
        fdatasyncSync(out);
      } catch (error) {
        closeSync(out);
        unlinkSync(nextPath);
        throw error;
      }
      const moveFile = sqlite.prepare('UPDATE files SET text_offset = text_offset + ? WHERE id = ?');
      const moveChunks = sqlite.prepare('UPDATE chunks SET pos = pos + ? WHERE file_id = ?');
      sqlite.transaction(() => {
        for (const [id, delta] of moves) {
          if (delta === 0) continue;
          moveFile.run(delta, id);
          moveChunks.run(delta, id);
        }
        update.run(next, nextEnd, 0);
      }).immediate();
      const old = meta.generation;
      closeSync(fd);
      fd = out;
      meta = { generation: next, end: nextEnd, dead: 0 };
      end = nextEnd;
      pendingAt = end;
      dead = 0;
      unlinkSync(textStorePath(dbPath, old));
      return true;
    },
    close,
    [Symbol.dispose]: close,
  };
  return writer;
}

/** The files whose regions lie past `size` lose their chunks (and trigram rows) and are re-read by the next index run. */
function forgetLostRegions(sqlite: SqliteDatabase, size: number): void {
  sqlite.transaction(() => {
    const lost = sqlite.prepare('SELECT id FROM files WHERE text_offset + text_length > ?').pluck().all(size) as number[];
    const contentDelete = sqlite.prepare('DELETE FROM content_fts WHERE rowid IN (SELECT id FROM chunks WHERE file_id = ?)');
    const chunksDelete = sqlite.prepare('DELETE FROM chunks WHERE file_id = ?');
    const reset = sqlite.prepare("UPDATE files SET sha1 = '', text_offset = NULL, text_length = NULL WHERE id = ?");
    for (const id of lost) {
      contentDelete.run(id);
      chunksDelete.run(id);
      reset.run(id);
    }
    const live = sqlite.prepare('SELECT coalesce(sum(text_length), 0) FROM files').pluck().get() as number;
    sqlite.prepare('UPDATE text_store SET end_offset = ?, dead_bytes = max(0, ? - ?) WHERE id = 1').run(size, size, live);
  }).immediate();
}

function removeOtherGenerations(dbPath: string, generation: number): void {
  const prefix = `${basename(dbPath)}.text.`;
  let names: string[];
  try {
    names = readdirSync(dirname(dbPath));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || name === `${prefix}${generation}` || !/^\d+$/.test(name.slice(prefix.length))) continue;
    try {
      unlinkSync(join(dirname(dbPath), name));
    } catch {
      // Gone already, or not ours to remove: the next writer tries again.
    }
  }
}

function readFully(fd: number, into: Buffer, length: number, position: number): void {
  let read = 0;
  while (read < length) {
    const n = readSync(fd, into, read, length - read, position + read);
    if (n === 0) {
      into.fill(0, read, length);
      return;
    }
    read += n;
  }
}

/**
 * The readers' side: reads byte ranges of the generation a query's snapshot names. Keeps the
 * file open between queries (an unlinked older generation stays readable until a newer one is seen).
 */
export class TextStoreReader implements Disposable {
  /** The chunks' places, for literal search (see `ChunkMap`). */
  readonly chunks = new ChunkMap();
  private fd = -1;
  private generation = -1;
  private buffer = Buffer.allocUnsafe(1024 * 1024);

  constructor(private readonly dbPath: string) {}

  /**
   * Points the reader at `generation` (read in the same snapshot as the offsets to be read, with
   * `end`, its committed end). False when that generation's file is gone (a compaction finished
   * since the snapshot began: run the query again); a store with nothing committed needs no file.
   */
  use(generation: number, end: number): boolean {
    if (generation === this.generation && this.fd !== -1) return true;
    let fd: number;
    try {
      fd = openSync(textStorePath(this.dbPath, generation), constants.O_RDONLY);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (end > 0) return false;
      // An index whose first run has not written text yet: its file may not exist, nothing points into it.
      this.close();
      this.generation = generation;
      return true;
    }
    this.close();
    this.fd = fd;
    this.generation = generation;
    return true;
  }

  /**
   * Reads `length` bytes at `position` into the reader's buffer and returns a view of them, valid
   * until the next read (missing bytes read as zeros).
   */
  read(position: number, length: number): Buffer {
    if (this.buffer.length < length) this.buffer = Buffer.allocUnsafe(Math.max(length, this.buffer.length * 2));
    if (this.fd === -1) {
      this.buffer.fill(0, 0, length);
    } else {
      readFully(this.fd, this.buffer, length, position);
    }
    return this.buffer.subarray(0, length);
  }

  close(): void {
    if (this.fd !== -1) closeSync(this.fd);
    this.fd = -1;
    this.generation = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The generation the current snapshot reads from, and its committed end (0: nothing written yet). */
export function textStoreSnapshot(sqlite: SqliteDatabase): { generation: number; end: number } {
  const { generation, end } = readMeta(sqlite);
  return { generation, end };
}

/**
 * Where each chunk lies, kept by a reader between queries: literal search asks the trigram index
 * for chunk ids alone and finds their place here (joining every candidate to its row costs more
 * than the trigram lookup: 14k candidates, 5.8 ms for the ids, 51 ms with the join). Correct
 * because a chunk row never changes while its generation lasts (a new version of a file gets new
 * rows; only a compaction moves rows, and it starts a new generation) and ids are never reused
 * (AUTOINCREMENT): refreshing loads the ids above the largest one seen, or everything after a
 * new generation. Rows deleted since stay here, but the trigram index no longer names them.
 */
export class ChunkMap {
  generation = -1;
  maxId = 0;
  fileId = new Int32Array(0);
  firstLine = new Int32Array(0);
  pos = new Float64Array(0);
  len = new Int32Array(0);

  /** Brings the map up to the snapshot `sqlite` reads in (call inside the query's read transaction). */
  refresh(sqlite: SqliteDatabase, generation: number): void {
    if (generation !== this.generation) {
      this.generation = generation;
      this.maxId = 0;
      this.fileId = new Int32Array(0);
      this.firstLine = new Int32Array(0);
      this.pos = new Float64Array(0);
      this.len = new Int32Array(0);
    }
    const rows = sqlite.prepare('SELECT id, file_id, first_line, pos, len FROM chunks WHERE id > ? ORDER BY id').raw().all(this.maxId) as [number, number, number, number, number][];
    if (rows.length === 0) return;
    const top = rows[rows.length - 1]![0];
    if (top >= this.len.length) this.grow(Math.max(top + 1, Math.ceil(this.len.length * 1.5)));
    for (const [id, fileId, firstLine, pos, len] of rows) {
      this.fileId[id] = fileId;
      this.firstLine[id] = firstLine;
      this.pos[id] = pos;
      this.len[id] = len;
    }
    this.maxId = top;
  }

  private grow(size: number): void {
    const grown = <T extends Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.fileId = grown(this.fileId, (n) => new Int32Array(n));
    this.firstLine = grown(this.firstLine, (n) => new Int32Array(n));
    this.pos = grown(this.pos, (n) => new Float64Array(n));
    this.len = grown(this.len, (n) => new Int32Array(n));
  }
}
