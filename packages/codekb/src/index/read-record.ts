import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileRecord } from '../store/writer.js';
import { storedExtraction, type StoredExtraction } from './stored-extraction.js';
import { fileWords } from '../store/words.js';
import { extract } from './extract.js';
import { generatedReason } from './generated.js';
import { languageOf, type ParserPool } from './languages.js';
import { extractMarkdown, isMarkdown } from './markdown.js';

/** Files above this are skipped with a note (and `literal` search then matches `rg --max-filesize 1M`). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Like git and rg: a NUL byte in the first 8 KiB makes a file binary. */
const BINARY_SNIFF_BYTES = 8192;

/** A file's record; `'unchanged'` when its hash equals the indexed one; undefined when it is gone or not a regular file. */
export type ReadOutcome = FileRecord | 'unchanged' | undefined;

/** A readable text file waiting to be parsed. */
interface Source {
  path: string;
  sha1: string;
  size: number;
  text: string;
}

/** How many of the last files read `RecentFiles` keeps. */
const RECENT_FILES = 16;

/**
 * What was made of the last few files read, by content hash: a file whose bytes equal one read just
 * before — a package's `x.d.ts` and `x.d.cts`, a fifth of zod's files — reuses its words and
 * extraction instead of being parsed again (both depend on the bytes and the language only).
 * parse-pool.ts hands files of one name stem to the same worker, so such twins meet.
 */
export class RecentFiles {
  readonly #byHash = new Map<string, { words: string; extractions: Map<string, StoredExtraction> }>();

  words(sha1: string, text: string): string {
    let entry = this.#byHash.get(sha1);
    if (entry === undefined) {
      if (this.#byHash.size >= RECENT_FILES) this.#byHash.delete(this.#byHash.keys().next().value!);
      this.#byHash.set(sha1, (entry = { words: fileWords(text), extractions: new Map() }));
    }
    return entry.words;
  }

  extraction(sha1: string, language: string, make: () => StoredExtraction): StoredExtraction {
    const extractions = this.#byHash.get(sha1)?.extractions;
    let extraction = extractions?.get(language);
    if (extraction === undefined) {
      extraction = make();
      extractions?.set(language, extraction);
    }
    return extraction;
  }
}

/**
 * Reads, hashes, sniffs and parses one file (repo-relative `path`), synchronously: it runs in a
 * parse worker, and on the calling thread for the watcher's few files. The hash is compared with
 * `previousSha1` before anything is parsed, so unchanged files cost a read and a hash. With
 * `recent`, a file equal to one of the last read is not parsed again.
 */
export function readRecord(root: string, path: string, parsers: ParserPool, previousSha1: string | undefined, recent = new RecentFiles()): ReadOutcome {
  const source = readSource(root, path, previousSha1);
  if (source === undefined || source === 'unchanged' || 'status' in source) return source;
  const { sha1, size, text } = source;
  const language = languageOf(path) ?? null;
  const generated = generatedReason(path, text);
  if (generated !== null) return { path, language, sha1, size, status: 'skipped-generated', note: `generated: ${generated}`, text: null, words: null, extraction: null };
  const words = recent.words(sha1, text);
  if (isMarkdown(path)) return { path, language: 'markdown', sha1, size, status: 'parsed', note: null, text, words, extraction: storedExtraction(extractMarkdown(text)) };
  if (language === null) return { path, language, sha1, size, status: 'text', note: null, text, words, extraction: null };
  try {
    const extraction = recent.extraction(sha1, language, () => storedExtraction(extract(parsers.parse(language, text), language)));
    return { path, language, sha1, size, status: 'parsed', note: null, text, words, extraction };
  } catch (error) {
    return { path, language, sha1, size, status: 'error', note: (error as Error).message, text, words, extraction: null };
  }
}

/**
 * The record of a file whose parse killed a worker: what `readRecord` stores without parsing
 * (skipped, text kept for text search), with status `error` and `note`. Its real hash is kept, so
 * the next index does not try the file again until it changes (as for parse errors).
 */
export function failedRecord(root: string, path: string, note: string): ReadOutcome {
  const source = readSource(root, path, undefined);
  if (source === undefined || source === 'unchanged' || 'status' in source) return source;
  const language = isMarkdown(path) ? 'markdown' : (languageOf(path) ?? null);
  return { path, language, sha1: source.sha1, size: source.size, status: 'error', note, text: source.text, words: fileWords(source.text), extraction: null };
}

function readSource(root: string, path: string, previousSha1: string | undefined): Source | FileRecord | 'unchanged' | undefined {
  const full = join(root, path);
  let info;
  try {
    info = lstatSync(full);
  } catch {
    return undefined; // listed by git but deleted from disk
  }
  if (!info.isFile()) return undefined; // symlinks and submodules are not followed (as rg)
  const language = languageOf(path) ?? null;
  if (info.size > MAX_FILE_BYTES) {
    const sha1 = `size:${info.size}:${info.mtimeMs}`;
    if (sha1 === previousSha1) return 'unchanged';
    return { path, language, sha1, size: info.size, status: 'skipped-large', note: 'larger than 1 MB', text: null, words: null, extraction: null };
  }
  let buffer: Buffer;
  try {
    buffer = readFileSync(full);
  } catch (error) {
    return { path, language, sha1: 'unreadable', size: info.size, status: 'error', note: (error as Error).message, text: null, words: null, extraction: null };
  }
  const sha1 = createHash('sha1').update(buffer).digest('hex');
  if (sha1 === previousSha1) return 'unchanged';
  if (buffer.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    return { path, language, sha1, size: buffer.length, status: 'skipped-binary', note: 'binary', text: null, words: null, extraction: null };
  }
  return { path, sha1, size: buffer.length, text: buffer.toString('utf8') };
}
