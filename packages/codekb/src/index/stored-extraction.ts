/**
 * What a `FileRecord` carries of a parsed file: its symbols and its references packed as the
 * index stores them. Apart from the writer (store/writer.ts) so that a parse worker, which makes
 * them, does not load the index's schema and SQLite.
 */
import { packRefs, type PackedRefs } from '../store/line-list.js';
import type { ExtractedSymbol, Extraction } from './extract.js';

export interface StoredExtraction {
  symbols: ExtractedSymbol[];
  refs: PackedRefs;
}

/** What `extract` found, as a `FileRecord` carries it. */
export function storedExtraction(extraction: Extraction): StoredExtraction {
  return { symbols: extraction.symbols, refs: packRefs(extraction.refs) };
}
