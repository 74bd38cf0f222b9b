/**
 * A symbol's signature — the first line of its declaration — is not stored as text: the index keeps
 * where it lies in the file's UTF-8 bytes (`symbols.signature_start`, `signature_length`, at most
 * `SIGNATURE_STORED_BYTES`), and a query reads it from the text store (store/text-store.ts), which
 * holds those bytes already. On code of small files signatures were a tenth of the index.
 */

/** Characters of a signature shown; a longer line is cut and ends in `…`. */
export const SIGNATURE_MAX_CHARS = 200;
/**
 * Bytes of a first line kept: enough for `SIGNATURE_MAX_CHARS` characters of any script (at most
 * four bytes each), so a line stored cut is always shown cut.
 */
export const SIGNATURE_STORED_BYTES = 4 * SIGNATURE_MAX_CHARS;

/**
 * The signature shown for a declaration's stored first-line bytes: trimmed, and cut at
 * `SIGNATURE_MAX_CHARS` with `…` when the line was longer (or stored cut).
 *
 * @example
 * signatureText(Buffer.from('export function parse(input: string) {\r')); // 'export function parse(input: string) {'
 */
export function signatureText(bytes: Buffer): string {
  const line = bytes.toString('utf8').trim();
  return line.length > SIGNATURE_MAX_CHARS || bytes.length >= SIGNATURE_STORED_BYTES ? `${line.slice(0, SIGNATURE_MAX_CHARS)}…` : line;
}
