/**
 * UTF-8 byte offsets of UTF-16 offsets into one string (the binding's node offsets, in the bytes
 * the text store keeps), for offsets asked mostly in ascending order: it walks from the last one
 * asked, forwards or back. A string of ASCII alone maps offsets to themselves.
 */
export class Utf8Offsets {
  readonly #source: string;
  readonly #ascii: boolean;
  #unit = 0;
  #byte = 0;

  constructor(source: string) {
    this.#source = source;
    this.#ascii = Buffer.byteLength(source, 'utf8') === source.length;
  }

  /** The byte offset of UTF-16 offset `unit` (at a character's start, not inside a surrogate pair). */
  byteAt(unit: number): number {
    if (this.#ascii) return unit;
    const source = this.#source;
    let at = this.#unit;
    let byte = this.#byte;
    while (at < unit) {
      const code = source.charCodeAt(at);
      if (code < 0x80) byte += 1;
      else if (code < 0x800) byte += 2;
      else if (isHighSurrogate(code) && isLowSurrogate(source.charCodeAt(at + 1))) {
        byte += 4;
        at++;
      } else byte += 3; // a lone surrogate is written as U+FFFD, three bytes
      at++;
    }
    while (at > unit) {
      at--;
      const code = source.charCodeAt(at);
      if (code < 0x80) byte -= 1;
      else if (code < 0x800) byte -= 2;
      else if (isLowSurrogate(code) && at > 0 && isHighSurrogate(source.charCodeAt(at - 1))) {
        byte -= 4;
        at--;
      } else byte -= 3;
    }
    this.#unit = at;
    this.#byte = byte;
    return byte;
  }

  /** The UTF-8 start and length of the UTF-16 range [start, end). */
  byteRange(start: number, end: number): { start: number; length: number } {
    const byteStart = this.byteAt(start);
    return { start: byteStart, length: this.byteAt(end) - byteStart };
  }
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
