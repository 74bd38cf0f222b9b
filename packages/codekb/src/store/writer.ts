import type { SqliteDatabase } from '@flotilla/kit/sqlite/connection';
import type { Statement } from 'better-sqlite3';
import type { ExtractedSymbol } from '../index/extract.js';
import type { StoredExtraction } from '../index/stored-extraction.js';
import { splitChunks } from './chunks.js';
import { FileRefs } from './ref-names.js';
import { DEFERRABLE_INDEXES } from './schema.js';
import type { PackedRefs } from './line-list.js';
import type { TextStoreWriter } from './text-store.js';
import { fileWords, nameTokens } from './words.js';

/** What is stored for one file. `text` is null for files kept out of the text index. */
export interface FileRecord {
  path: string;
  language: string | null;
  sha1: string;
  size: number;
  status: FileStatus;
  note: string | null;
  text: string | null;
  /** The distinct words of `text` (`fileWords`), made where the file is read (a parse worker). */
  words: string | null;
  extraction: StoredExtraction | null;
}

export type FileStatus = 'parsed' | 'text' | 'skipped-large' | 'skipped-binary' | 'skipped-generated' | 'error';

export interface IndexWriter {
  /** Replaces (or inserts) a file and everything derived from it. Call inside a transaction. */
  put(record: FileRecord, existingId: number | undefined): void;
  /** Removes a file and everything derived from it. Call inside a transaction. */
  remove(id: number): void;
  /**
   * Writes the rows `put` has held back — symbols, their FTS rows and references, and trigram
   * rows (see `TRIGRAM_BATCH_BYTES`) — and the text store's end and dead bytes. Call before
   * committing.
   */
  flush(): void;
}

/**
 * Text held back from the trigram index until `flush` (or this many bytes): inserting a batch of
 * files' chunks one after another costs FTS5 about a third less CPU than one file's chunks between
 * the parse and the other tables' writes of every file (zod: 630–670 → 400–425 ms), its pending
 * terms and the tokenizer staying in the CPU's caches.
 */
const TRIGRAM_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Rows per INSERT for a file's symbols, their FTS rows and its references: one statement per file
 * for most files instead of one per row (a run costs more than its row: zod's ~130k rows took
 * ~0.4 s one by one).
 */
const ROWS_PER_INSERT = 64;

/** What `clear` reads of a file's row to find what was derived from it. */
interface DerivedRows {
  first: number | null;
  last: number | null;
  textOffset: number | null;
  textLength: number | null;
  /** How many names the file's rows in `refs` hold (store/ref-names.ts). */
  refNames: number;
}

/**
 * Prepared statements for writing the index; one per connection. File text goes to `text`, the
 * text store opened under the same writer lock (store/text-store.ts).
 */
export function createIndexWriter(sqlite: SqliteDatabase, text: TextStoreWriter): IndexWriter {
  const s = {
    derived: sqlite.prepare(
      'SELECT first_symbol_id AS first, last_symbol_id AS last, text_offset AS textOffset, text_length AS textLength, ref_names AS refNames FROM files WHERE id = ?',
    ),
    symbolRangeUpdate: sqlite.prepare('UPDATE files SET first_symbol_id = ?, last_symbol_id = ? WHERE id = ?'),
    refNamesUpdate: sqlite.prepare('UPDATE files SET ref_names = ? WHERE id = ?'),
    ftsDelete: sqlite.prepare('DELETE FROM symbols_fts WHERE rowid IN (SELECT id FROM symbols WHERE id BETWEEN ? AND ?)'),
    contentDelete: sqlite.prepare('DELETE FROM content_fts WHERE rowid IN (SELECT id FROM chunks WHERE file_id = ?)'),
    symbolsDelete: sqlite.prepare('DELETE FROM symbols WHERE id BETWEEN ? AND ?'),
    refs: new FileRefs(sqlite),
    chunksDelete: sqlite.prepare('DELETE FROM chunks WHERE file_id = ?'),
    fileDelete: sqlite.prepare('DELETE FROM files WHERE id = ?'),
    fileInsert: sqlite.prepare('INSERT INTO files (path, language, sha1, size, status, note) VALUES (?, ?, ?, ?, ?, ?)'),
    fileUpdate: sqlite.prepare(
      'UPDATE files SET language = ?, sha1 = ?, size = ?, status = ?, note = ?, first_symbol_id = NULL, last_symbol_id = NULL, text_offset = NULL, text_length = NULL, ref_names = 0 WHERE id = ?',
    ),
    fileText: sqlite.prepare('UPDATE files SET text_offset = ?, text_length = ? WHERE id = ?'),
    symbolsInsert: multiRowInsert(
      sqlite,
      'INSERT INTO symbols (id, file_id, parent_id, kind, name, container, signature_start, signature_length, doc_start, doc_length, doc_form, start_line, end_line) VALUES',
      13,
    ),
    ftsInsert: multiRowInsert(sqlite, 'INSERT INTO symbols_fts (rowid, name, doc) VALUES', 3),
    nextSymbolId: sqlite.prepare('SELECT coalesce(max(id), 0) + 1 FROM symbols').pluck(),
    fileWordsInsert: sqlite.prepare('INSERT INTO files_fts (rowid, path, words) VALUES (?, ?, ?)'),
    fileWordsDelete: sqlite.prepare('DELETE FROM files_fts WHERE rowid = ?'),
    refsInsert: multiRowInsert(sqlite, 'INSERT INTO refs (name, file_id, count, lines) VALUES', 4),
    contentInsert: sqlite.prepare('INSERT INTO content_fts (rowid, body) VALUES (?, ?)'),
    chunkInsert: sqlite.prepare('INSERT INTO chunks (file_id, first_line, pos, len) VALUES (?, ?, ?, ?)'),
  };
  /**
   * The id the next symbol gets: symbols are inserted with their ids, so a file's symbols (and
   * their parents) are numbered before they are written, consecutively (files.first_symbol_id …
   * last_symbol_id). Read once per writer (it holds the index's write lock), then counted.
   */
  let nextSymbolId: number | undefined;
  let pendingTrigrams: { chunkId: number | bigint; body: Buffer }[] = [];
  let pendingBytes = 0;
  /** Rows held back until `flush`, flat, as `multiRowInsert` takes them (see `flush`). */
  let pendingSymbols: unknown[] = [];
  let pendingSymbolWords: unknown[] = [];
  let pendingRefs: unknown[] = [];
  const flush = (): void => {
    // A batch of files' rows table by table: one file's few rows of each table between another
    // file's rows of every other table cost several times more CPU (hono: 9 µs a symbol row
    // against 1.5–2.5 µs in a row of inserts).
    s.symbolsInsert(pendingSymbols);
    s.ftsInsert(pendingSymbolWords);
    s.refsInsert(pendingRefs);
    pendingSymbols = [];
    pendingSymbolWords = [];
    pendingRefs = [];
    // The bytes as they are: FTS5 reads a blob's bytes as UTF-8 text (the same index as for the
    // decoded string, without decoding every chunk into a string and encoding it back).
    for (const { chunkId, body } of pendingTrigrams) s.contentInsert.run(chunkId, body);
    pendingTrigrams = [];
    pendingBytes = 0;
    text.commitMeta();
  };
  const clear = (id: number): void => {
    // A file put earlier in this batch may be the one replaced: its trigram rows go in first.
    flush();
    const derived = s.derived.get(id) as DerivedRows | undefined;
    if (derived === undefined) return;
    if (derived.refNames > 0) {
      const oldText = derived.textOffset === null || derived.textLength === null ? null : text.read(derived.textOffset, derived.textLength).toString('utf8');
      s.refs.delete(id, oldText, derived.refNames);
    }
    if (derived.textLength !== null) text.release(derived.textLength);
    if (derived.first !== null && derived.last !== null) {
      s.ftsDelete.run(derived.first, derived.last);
      s.symbolsDelete.run(derived.first, derived.last);
    }
    s.fileWordsDelete.run(id);
    s.contentDelete.run(id);
    s.chunksDelete.run(id);
  };
  const writeSymbols = (fileId: number, symbols: readonly ExtractedSymbol[]): void => {
    if (symbols.length === 0) return;
    const first = (nextSymbolId ??= s.nextSymbolId.get() as number);
    nextSymbolId += symbols.length;
    const rows = pendingSymbols;
    const fts = pendingSymbolWords;
    symbols.forEach((symbol, at) => {
      const parentId = symbol.parent === null ? null : first + symbol.parent;
      const { doc } = symbol;
      rows.push(first + at, fileId, parentId, symbol.kind, symbol.name, symbol.container, symbol.signatureStart, symbol.signatureLength);
      rows.push(doc?.start ?? null, doc?.length ?? null, doc?.form ?? null, symbol.startLine, symbol.endLine);
      fts.push(first + at, nameTokens(symbol.name), doc?.text ?? '');
    });
    s.symbolRangeUpdate.run(first, first + symbols.length - 1, fileId);
  };
  const writeRefs = (fileId: number, refs: PackedRefs): void => {
    const rows = pendingRefs;
    let start = 0;
    refs.names.forEach((name, at) => {
      const end = refs.ends[at]!;
      rows.push(name, fileId, refs.counts[at], refs.lines.subarray(start, end));
      start = end;
    });
    if (refs.names.length > 0) s.refNamesUpdate.run(refs.names.length, fileId);
  };
  return {
    flush,
    remove(id) {
      clear(id);
      s.fileDelete.run(id);
    },
    put(record, existingId) {
      let id = existingId;
      if (id === undefined) {
        id = Number(s.fileInsert.run(record.path, record.language, record.sha1, record.size, record.status, record.note).lastInsertRowid);
      } else {
        clear(id);
        s.fileUpdate.run(record.language, record.sha1, record.size, record.status, record.note, id);
      }
      if (record.text !== null) {
        const bytes = Buffer.from(record.text, 'utf8');
        const at = text.append(bytes);
        s.fileText.run(at, bytes.length, id);
        for (const chunk of splitChunks(bytes)) {
          const chunkId = s.chunkInsert.run(id, chunk.firstLine, at + chunk.body.byteOffset - bytes.byteOffset, chunk.body.length).lastInsertRowid;
          pendingTrigrams.push({ chunkId, body: chunk.body });
          pendingBytes += chunk.body.length;
        }
        if (pendingBytes >= TRIGRAM_BATCH_BYTES) flush();
      }
      s.fileWordsInsert.run(id, fileWords(record.path), record.words ?? '');
      if (record.extraction === null) return;
      writeSymbols(id, record.extraction.symbols);
      writeRefs(id, record.extraction.refs);
    },
  };
}

/**
 * Inserts rows of `columns` values each (given flat, row after row) with multi-row INSERTs of up to
 * ROWS_PER_INSERT rows; a statement per row count, prepared when first needed.
 */
function multiRowInsert(sqlite: SqliteDatabase, head: string, columns: number): (values: readonly unknown[]) => void {
  const statements = new Map<number, Statement>();
  const row = `(${new Array(columns).fill('?').join(', ')})`;
  return (values) => {
    const rows = values.length / columns;
    for (let at = 0; at < rows; at += ROWS_PER_INSERT) {
      const count = Math.min(ROWS_PER_INSERT, rows - at);
      let statement = statements.get(count);
      if (statement === undefined) statements.set(count, (statement = sqlite.prepare(`${head} ${new Array(count).fill(row).join(', ')}`)));
      statement.run(count === rows ? values : values.slice(at * columns, (at + count) * columns));
    }
  };
}

/** The index's FTS5 tables (each merges its segments as configured by `setBulkLoad`). */
const FTS_TABLES = ['content_fts', 'symbols_fts', 'files_fts'] as const;
/** FTS5's defaults, restored after a bulk load: merge as segments accumulate (what small updates want). */
const INCREMENTAL_MERGE = { automerge: 4, crisismerge: 16 };
/**
 * During a bulk load no merging on the way (each transaction's segments stay as they are, up to 64
 * per level), and one `optimize` at the end: merging as the load went merged the same rows several
 * times over — about a sixth of the trigram index's CPU.
 */
const BULK_MERGE = { automerge: 0, crisismerge: 64 };

/**
 * Switches the FTS5 tables between bulk loading (no automatic merges; call `finishBulkLoad`
 * after) and their incremental defaults. The setting is stored in the index, so a run that
 * dies in between leaves bulk settings that the next `indexRepository` run replaces.
 */
export function setBulkLoad(sqlite: SqliteDatabase, bulk: boolean): void {
  const settings = bulk ? BULK_MERGE : INCREMENTAL_MERGE;
  for (const table of FTS_TABLES) {
    for (const [name, value] of Object.entries(settings)) sqlite.exec(`INSERT INTO ${table}(${table}, rank) VALUES('${name}', ${value})`);
  }
}

/** Drops the deferrable indexes before a first load; `createDeferredIndexes` builds them after it. */
export function dropDeferrableIndexes(sqlite: SqliteDatabase): void {
  for (const name of Object.keys(DEFERRABLE_INDEXES)) sqlite.exec(`DROP INDEX IF EXISTS ${name}`);
}

/** Builds the deferrable indexes that are missing (after a first load, or one that died). */
export function createDeferredIndexes(sqlite: SqliteDatabase): void {
  for (const [name, on] of Object.entries(DEFERRABLE_INDEXES)) sqlite.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
}

/** Merges each FTS5 table's segments into one (after a bulk load, or a run that rewrote most files). */
export function optimizeFts(sqlite: SqliteDatabase): void {
  for (const table of FTS_TABLES) sqlite.exec(`INSERT INTO ${table}(${table}) VALUES('optimize')`);
}
