import { openConnection, type SqliteDatabase } from '@flotilla/kit/sqlite/connection';

/**
 * Tables whose current definition a migration creates, written once here. A shipped migration
 * step must keep creating what it created, so a definition used by a shipped step never changes:
 * a later change is a new step with a new constant.
 */
const CHUNKS_TABLE = `CREATE TABLE chunks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     file_id INTEGER NOT NULL,
     first_line INTEGER NOT NULL,
     pos INTEGER NOT NULL,
     len INTEGER NOT NULL
   );`;
const TEXT_STORE_TABLE = `CREATE TABLE text_store (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     generation INTEGER NOT NULL,
     end_offset INTEGER NOT NULL,
     dead_bytes INTEGER NOT NULL
   );
   INSERT INTO text_store (id, generation, end_offset, dead_bytes) VALUES (1, 0, 0, 0);`;

/**
 * The indexes whose keys arrive out of order while files are written (symbol names, the file ids
 * under each name): created by the migrations below and, after a first load that dropped them
 * (store/writer.ts), rebuilt from the same definitions.
 */
export const DEFERRABLE_INDEXES = {
  symbols_name: 'symbols(name COLLATE NOCASE)',
} as const;

/**
 * Plain SQL migrations, applied in order; `PRAGMA user_version` records how many ran. Append only:
 * never edit a shipped step, add a new one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE files (
     id INTEGER PRIMARY KEY,
     path TEXT NOT NULL UNIQUE,
     language TEXT,
     sha1 TEXT NOT NULL,
     size INTEGER NOT NULL,
     status TEXT NOT NULL,
     note TEXT
   );
   CREATE TABLE symbols (
     id INTEGER PRIMARY KEY,
     file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
     parent_id INTEGER,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     container TEXT,
     signature TEXT NOT NULL,
     doc TEXT,
     start_line INTEGER NOT NULL,
     end_line INTEGER NOT NULL
   );
   CREATE INDEX symbols_name ON symbols(name COLLATE NOCASE);
   CREATE INDEX symbols_file ON symbols(file_id);
   CREATE TABLE refs (
     file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     line INTEGER NOT NULL,
     symbol_id INTEGER
   );
   CREATE INDEX refs_name ON refs(name);
   CREATE INDEX refs_file ON refs(file_id);
   CREATE VIRTUAL TABLE symbols_fts USING fts5(
     name, signature, doc, path,
     content='', contentless_delete=1, tokenize="unicode61 tokenchars '_'"
   );
   CREATE VIRTUAL TABLE content_fts USING fts5(
     body, content='', contentless_delete=1, detail='none', tokenize='trigram'
   );`,
  // 2: references as one row per (name, file) with the lines packed (store/line-list.ts) and the
  // enclosing symbol found from ranges at query time. File text kept in line-aligned chunks, each
  // a row of the trigram index, so literal search confirms candidates without touching the disk
  // and skips the parts of big files that cannot match. The old refs cannot be converted (their
  // lines' symbols are gone) and content_fts rows become chunks, so both are rebuilt: every file
  // is re-read on the next index (its hash is cleared). A file's path is indexed once (paths_fts,
  // rowid = file id) instead of with each of its symbols: a fifth of the index for zod.
  `DROP TABLE refs;
   CREATE TABLE refs (
     name TEXT NOT NULL,
     file_id INTEGER NOT NULL,
     count INTEGER NOT NULL,
     lines BLOB NOT NULL,
     PRIMARY KEY (name, file_id)
   ) WITHOUT ROWID;
   CREATE INDEX refs_file ON refs(file_id);
   CREATE TABLE chunks (
     id INTEGER PRIMARY KEY,
     file_id INTEGER NOT NULL,
     first_line INTEGER NOT NULL,
     body BLOB NOT NULL
   );
   CREATE INDEX chunks_file ON chunks(file_id);
   DELETE FROM content_fts;
   DROP TABLE symbols_fts;
   CREATE VIRTUAL TABLE symbols_fts USING fts5(
     name, signature, doc,
     content='', contentless_delete=1, tokenize="unicode61 tokenchars '_'"
   );
   CREATE VIRTUAL TABLE paths_fts USING fts5(
     path, content='', contentless_delete=1, tokenize="unicode61 tokenchars '_'"
   );
   UPDATE files SET sha1 = '';`,
  // 3: a file-level BM25 index for natural-language search: each file's path words and the
  // distinct words of its text (store/words.ts `fileWords`), rowid = file id. It also holds what
  // paths_fts held (the path column). Every file is re-read once to fill it.
  `DROP TABLE paths_fts;
   CREATE VIRTUAL TABLE files_fts USING fts5(
     path, words, content='', contentless_delete=1, tokenize="unicode61 tokenchars '_'"
   );
   UPDATE files SET sha1 = '';`,
  // 4: a smaller index (zod 3.11× → under 3× the text). symbols_fts no longer indexes signatures
  // (a third of the FTS5 index over symbols): their words are in the file's text words
  // (files_fts), and a symbol is found by its name and doc. A file's symbols are found by the
  // range of ids they were inserted with (files.first_symbol_id … last_symbol_id; the writer
  // inserts a file's symbols one after another, so their ids are consecutive) instead of an index
  // on symbols(file_id). Old symbol rows have no range: they are dropped and every file is re-read.
  // The table loses its foreign key (the writer deletes a file's symbols itself): without an index
  // on file_id, deleting a file would scan every symbol to cascade.
  `DROP TABLE symbols_fts;
   CREATE VIRTUAL TABLE symbols_fts USING fts5(
     name, doc, content='', contentless_delete=1, tokenize="unicode61 tokenchars '_'"
   );
   DROP TABLE symbols;
   CREATE TABLE symbols (
     id INTEGER PRIMARY KEY,
     file_id INTEGER NOT NULL,
     parent_id INTEGER,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     container TEXT,
     signature TEXT NOT NULL,
     doc TEXT,
     start_line INTEGER NOT NULL,
     end_line INTEGER NOT NULL
   );
   CREATE INDEX symbols_name ON ${DEFERRABLE_INDEXES.symbols_name};
   ALTER TABLE files ADD COLUMN first_symbol_id INTEGER;
   ALTER TABLE files ADD COLUMN last_symbol_id INTEGER;
   UPDATE files SET sha1 = '';`,
  // 5: file text moves out of SQLite into an append-only text store beside the index
  // (store/text-store.ts): a file's live bytes are files.text_offset … + text_length, a chunk keeps
  // where it lies (pos, len) and its first line — its id is never reused (AUTOINCREMENT), so a
  // reader can keep the chunk rows it has seen (query/chunk-map.ts) and load only newer ids;
  // text_store names the file's generation, the committed end and the dead bytes. Literal search reads candidate chunks with pread into one
  // buffer instead of copying each blob out of SQLite. Old chunk rows have no place in the store:
  // they go and every file is re-read.
  `DROP TABLE chunks;
   ${CHUNKS_TABLE}
   CREATE INDEX chunks_file ON chunks(file_id);
   INSERT INTO content_fts(content_fts) VALUES('delete-all');
   ALTER TABLE files ADD COLUMN text_offset INTEGER;
   ALTER TABLE files ADD COLUMN text_length INTEGER;
   ${TEXT_STORE_TABLE}
   UPDATE files SET sha1 = '';`,
  // 6: generated files (lock files, source maps, minified scripts, files marked generated; see
  // index/generated.ts) are kept out of the index. The schema is unchanged; every file is read
  // once more so that those indexed before leave.
  `UPDATE files SET sha1 = '';`,
  // 7: a smaller index for code of many small files (this repository 3.1× the text, hono 3.4×):
  // - a signature is where the declaration's first line lies in the file's bytes
  //   (store/signature.ts), read from the text store, not a copy of the line; a doc is where its
  //   source lies and in what form (store/doc-text.ts), made into text again as it is read;
  // - refs lose their index by file (refs_file, a second copy of every (name, file) key): a
  //   file's rows are found by the names its text holds (store/ref-names.ts) under the primary
  //   key, and files.ref_names counts them, so that a name the text does not show (a Rust raw
  //   identifier) is noticed and its rows found by a scan.
  // Symbols and references are dropped and every file is re-read.
  `DROP TABLE symbols;
   CREATE TABLE symbols (
     id INTEGER PRIMARY KEY,
     file_id INTEGER NOT NULL,
     parent_id INTEGER,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     container TEXT,
     signature_start INTEGER NOT NULL,
     signature_length INTEGER NOT NULL,
     doc_start INTEGER,
     doc_length INTEGER,
     doc_form INTEGER,
     start_line INTEGER NOT NULL,
     end_line INTEGER NOT NULL
   );
   CREATE INDEX symbols_name ON symbols(name COLLATE NOCASE);
   INSERT INTO symbols_fts(symbols_fts) VALUES('delete-all');
   DROP INDEX IF EXISTS refs_file;
   DELETE FROM refs;
   ALTER TABLE files ADD COLUMN ref_names INTEGER NOT NULL DEFAULT 0;
   UPDATE files SET first_symbol_id = NULL, last_symbol_id = NULL, sha1 = '';`,
];

/**
 * The join condition for the symbols `s` of the file `f` — `FROM files f JOIN symbols s ON
 * ${FILE_SYMBOLS}` — a rowid range: a file's symbols have consecutive ids, recorded on its row.
 */
export const FILE_SYMBOLS = 's.id BETWEEN f.first_symbol_id AND f.last_symbol_id';

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export interface IndexDatabase extends Disposable {
  readonly sqlite: SqliteDatabase;
  close(): void;
}

/**
 * Opens (creating and migrating when writable) a codekb index database.
 *
 * @example
 * using index = openIndexDatabase('/tmp/repo.db');
 */
export function openIndexDatabase(path: string, options: { readonly?: boolean } = {}): IndexDatabase {
  const sqlite = openConnection(path, { readonly: options.readonly === true });
  const close = (): void => {
    if (sqlite.open) sqlite.close();
  };
  try {
    const version = sqlite.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`index ${path} has schema ${version}, newer than this codekb (${SCHEMA_VERSION}); upgrade codekb or re-index with --db`);
    }
    if (version < SCHEMA_VERSION) {
      if (options.readonly === true) throw new Error(`index ${path} has schema ${version}; run \`codekb index\` to migrate it`);
      if (version === 0 && sqlite.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() === 0) {
        // A new index frees the pages FTS5 merges and re-indexed files leave behind (indexer.ts
        // runs incremental_vacuum). The mode is set before the first table; WAL is already on,
        // so it takes a VACUUM, instant on an empty file.
        sqlite.pragma('auto_vacuum = INCREMENTAL');
        sqlite.exec('VACUUM');
      }
      sqlite.transaction(() => {
        for (let step = version; step < SCHEMA_VERSION; step++) sqlite.exec(MIGRATIONS[step] ?? '');
        sqlite.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
    }
  } catch (error) {
    close();
    throw error;
  }
  return { sqlite, close, [Symbol.dispose]: close };
}
