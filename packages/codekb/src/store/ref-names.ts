import type { SqliteDatabase } from '@flotilla/kit/sqlite/connection';

/**
 * Runs of characters that are not white space or ASCII punctuation, `_`, `$` and `\` aside: every
 * identifier a parser reports (a reference's name, escapes such as `\u0061` included) is one such
 * run of the file's text, bounded by punctuation or space. (A Rust raw identifier `r#type` is not:
 * see `FileRefs`.)
 */
const NAME_RUN = /[^\s!-#%-\/:-@[\]^`{-~]+/g;

/** The distinct runs of `text` that may be reference names (see `NAME_RUN`), as a JSON array. */
export function candidateRefNames(text: string): string {
  return JSON.stringify([...new Set(text.match(NAME_RUN))]);
}

/**
 * A file's rows of `refs`, found without an index by file: `count` (files.ref_names) says how
 * many names they hold, and each name the file's `text` may hold (`candidateRefNames`) is looked
 * up under the primary key (name, file). When that finds fewer than `count` — a name the text
 * does not show as a run, or no text (its region was lost) — the table is scanned.
 */
export class FileRefs {
  readonly #names;
  readonly #allNames;
  readonly #delete;
  readonly #deleteAll;

  constructor(sqlite: SqliteDatabase) {
    this.#names = sqlite.prepare('SELECT name FROM refs WHERE file_id = ? AND name IN (SELECT value FROM json_each(?))').pluck();
    this.#allNames = sqlite.prepare('SELECT name FROM refs WHERE file_id = ?').pluck();
    this.#delete = sqlite.prepare('DELETE FROM refs WHERE file_id = ? AND name IN (SELECT value FROM json_each(?))');
    this.#deleteAll = sqlite.prepare('DELETE FROM refs WHERE file_id = ?');
  }

  /** The names file `fileId` references. */
  names(fileId: number, text: string | null, count: number): string[] {
    if (count === 0) return [];
    if (text !== null) {
      const names = this.#names.all(fileId, candidateRefNames(text)) as string[];
      if (names.length === count) return names;
    }
    return this.#allNames.all(fileId) as string[];
  }

  /** Deletes the rows of file `fileId`. */
  delete(fileId: number, text: string | null, count: number): void {
    if (count === 0) return;
    if (text !== null && this.#delete.run(fileId, candidateRefNames(text)).changes === count) return;
    this.#deleteAll.run(fileId);
  }
}
