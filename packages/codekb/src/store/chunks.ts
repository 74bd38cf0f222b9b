/** A line-aligned piece of a file's text: what the trigram index and literal search work on. */
export interface TextChunk {
  /** 1-based line number of the chunk's first line. */
  firstLine: number;
  body: Buffer;
}

/**
 * Bytes per chunk before it is cut at the next line end. A literal search reads every chunk the
 * trigram index proposes, so a chunk's size is what a false candidate, or a file with one match,
 * costs: 16 KiB chunks made the queries matching thousands of files (or whose trigrams are all
 * common) cost 100–160 ms; 4.5 KiB ones about 50 ms (trigram index a third bigger). The size fits
 * SQLite's 4 KiB pages: a row of 4.5–8 KiB fills exactly one overflow page and keeps the rest in its
 * leaf (a row just over 4 KiB would leave most of an overflow page empty).
 */
export const CHUNK_BYTES = 4608;
const NEWLINE = 0x0a;

/**
 * Splits text into chunks that end at a line end, so no line — and so no `rg -F` match, which
 * never spans lines — is cut in two. A line longer than `size` is a chunk of its own.
 *
 * @example
 * splitChunks(Buffer.from('a\nb\n'), 2); // [{ firstLine: 1, body: 'a\n' }, { firstLine: 2, body: 'b\n' }]
 */
export function splitChunks(text: Buffer, size = CHUNK_BYTES): TextChunk[] {
  const chunks: TextChunk[] = [];
  let start = 0;
  let firstLine = 1;
  while (start < text.length) {
    const newline = start + size >= text.length ? -1 : text.indexOf(NEWLINE, start + size - 1);
    const end = newline === -1 ? text.length : newline + 1;
    const body = text.subarray(start, end);
    chunks.push({ firstLine, body });
    firstLine += countNewlines(body);
    start = end;
  }
  return chunks;
}

function countNewlines(body: Buffer): number {
  let count = 0;
  for (let at = body.indexOf(NEWLINE); at !== -1; at = body.indexOf(NEWLINE, at + 1)) count++;
  return count;
}
