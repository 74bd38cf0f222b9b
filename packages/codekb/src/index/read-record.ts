import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { storedExtraction, type FileRecord } from '../store/writer.js';
import { fileWords } from '../store/words.js';
import { extract } from './extract.js';
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

/**
 * Reads, hashes, sniffs and parses one file (repo-relative `path`), synchronously: it runs in a
 * parse worker, and on the calling thread for the watcher's few files. The hash is compared with
 * `previousSha1` before anything is parsed, so unchanged files cost a read and a hash.
 */
export function readRecord(root: string, path: string, parsers: ParserPool, previousSha1: string | undefined): ReadOutcome {
  const source = readSource(root, path, previousSha1);
  if (source === undefined || source === 'unchanged' || 'status' in source) return source;
  const { sha1, size, text } = source;
  const language = languageOf(path) ?? null;
  const words = fileWords(text);
  if (isMarkdown(path)) return { path, language: 'markdown', sha1, size, status: 'parsed', note: null, text, words, extraction: storedExtraction(extractMarkdown(text)) };
  if (language === null) return { path, language, sha1, size, status: 'text', note: null, text, words, extraction: null };
  try {
    const tree = parsers.parse(language, text);
    return { path, language, sha1, size, status: 'parsed', note: null, text, words, extraction: storedExtraction(extract(tree, language)) };
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
