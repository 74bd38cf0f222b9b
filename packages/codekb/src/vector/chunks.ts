import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SqliteDatabase } from '@flotilla/kit/sqlite/connection';
import { FILE_SYMBOLS } from '../store/schema.js';
import { docText, type DocForm } from '../store/doc-text.js';
import { signatureText } from '../store/signature.js';
import type { ChunkPayload } from './store.js';

/** Body lines after the declaration line that go into a symbol's chunk: enough to say what it does. */
const BODY_LINES = 12;
/** Lines per chunk of a file without symbols (plain text, a script of statements). */
const TEXT_WINDOW_LINES = 40;
/** Characters per chunk: well inside every embedding model's context (~8k tokens for OpenAI's). */
const MAX_CHUNK_CHARS = 2000;
/** Chunks per file: a generated file with thousands of symbols must not dominate the embedding bill. */
const MAX_CHUNKS_PER_FILE = 400;

/** A piece of a file to embed: what the model reads, and where a hit on it points. */
export interface Chunk {
  id: string;
  text: string;
  payload: ChunkPayload;
}

/** An indexed file as the vector sync sees it. */
export interface IndexedFile {
  id: number;
  path: string;
  sha1: string;
}

interface SymbolRow {
  kind: string;
  name: string;
  container: string | null;
  signature: string;
  doc: string | null;
  start_line: number;
  end_line: number;
}

type StoredSymbolRow = Omit<SymbolRow, 'signature' | 'doc'> & {
  signatureStart: number;
  signatureLength: number;
  docStart: number | null;
  docLength: number | null;
  docForm: DocForm | null;
};

/**
 * The chunks of one indexed file: one per symbol (its signature, doc and the first lines of its
 * body), or windows of lines for a file without symbols. `stale` when the file on disk no longer
 * has the indexed content (the next re-index and sync will catch up); `gone` when it cannot be read.
 */
export async function chunkFile(sqlite: SqliteDatabase, root: string, file: IndexedFile): Promise<Chunk[] | 'stale' | 'gone'> {
  let buffer: Buffer;
  try {
    buffer = await readFile(join(root, file.path));
  } catch {
    return 'gone';
  }
  if (createHash('sha1').update(buffer).digest('hex') !== file.sha1) return 'stale';
  const text = buffer.toString('utf8');
  const lines = text.split('\n');
  // The bytes the index's offsets count (the text store's: invalid UTF-8 written as U+FFFD).
  const bytes = Buffer.from(text, 'utf8');
  const symbols = (
    sqlite
      .prepare(
        `SELECT s.kind, s.name, s.container, s.signature_start AS signatureStart, s.signature_length AS signatureLength,
           s.doc_start AS docStart, s.doc_length AS docLength, s.doc_form AS docForm, s.start_line, s.end_line
         FROM files f JOIN symbols s ON ${FILE_SYMBOLS} WHERE f.id = ? ORDER BY s.start_line, s.id`,
      )
      .all(file.id) as StoredSymbolRow[]
  ).map(({ signatureStart, signatureLength, docStart, docLength, docForm, ...row }) => ({
    ...row,
    signature: signatureText(bytes.subarray(signatureStart, signatureStart + signatureLength)),
    doc: docStart === null || docLength === null || docForm === null ? null : docText(bytes.toString('utf8', docStart, docStart + docLength), docForm),
  }));
  const pieces = symbols.length > 0 ? symbols.map((symbol) => symbolPiece(file.path, symbol, lines)) : textPieces(file.path, lines);
  return pieces.slice(0, MAX_CHUNKS_PER_FILE).map((piece, ordinal) => ({ id: pointId(file.path, ordinal), text: piece.text.slice(0, MAX_CHUNK_CHARS), payload: piece.payload }));
}

function symbolPiece(path: string, symbol: SymbolRow, lines: readonly string[]): Omit<Chunk, 'id'> {
  const qualified = symbol.container === null ? symbol.name : `${symbol.container}.${symbol.name}`;
  const body = lines.slice(symbol.start_line, Math.min(symbol.end_line, symbol.start_line + BODY_LINES));
  const text = [`${symbol.kind} ${qualified} in ${path}`, symbol.signature, symbol.doc ?? '', ...body].filter((line) => line.trim() !== '').join('\n');
  return { text, payload: { path, line: symbol.start_line, endLine: Math.max(symbol.start_line, symbol.end_line), name: symbol.name, kind: symbol.kind } };
}

function textPieces(path: string, lines: readonly string[]): Omit<Chunk, 'id'>[] {
  const pieces: Omit<Chunk, 'id'>[] = [];
  const name = basename(path);
  for (let start = 0; start < lines.length; start += TEXT_WINDOW_LINES) {
    const window = lines.slice(start, start + TEXT_WINDOW_LINES);
    if (window.every((line) => line.trim() === '')) continue;
    const endLine = start + window.length;
    pieces.push({ text: `${path}\n${window.join('\n')}`, payload: { path, line: start + 1, endLine, name, kind: 'text' } });
  }
  return pieces;
}

/** A stable name-based (version 5 layout) UUID for the `ordinal`-th chunk of a file: Qdrant ids are integers or UUIDs. */
export function pointId(path: string, ordinal: number): string {
  const bytes = createHash('sha1').update(`${path}\u0000${ordinal}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
