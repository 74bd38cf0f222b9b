/**
 * Line numbers of one name's occurrences in one file, stored as a blob: ascending, each written as
 * the difference from the previous one in LEB128 varints (most gaps fit in one byte). 263k
 * occurrence rows of zod's sources took 14 MB with their indexes; as one row per (name, file) with
 * such a blob they take under 2 MB.
 */

/**
 * @example
 * encodeLines([3, 4, 200]); // <Buffer 03 01 c4 01>
 */
export function encodeLines(lines: readonly number[]): Buffer {
  const sorted = [...lines].sort((a, b) => a - b);
  const bytes = Buffer.alloc(sorted.length * MAX_LINE_BYTES);
  return bytes.subarray(0, writeLines(sorted, bytes, 0));
}

/** A line number below 2^35 takes at most five bytes. */
const MAX_LINE_BYTES = 5;

/** Writes ascending `lines` as LEB128 gaps into `bytes` from `at`; returns where it ended. */
function writeLines(lines: readonly number[], bytes: Uint8Array, at: number): number {
  let end = at;
  let previous = 0;
  for (const line of lines) {
    let gap = line - previous;
    previous = line;
    while (gap >= 0x80) {
      bytes[end++] = (gap & 0x7f) | 0x80;
      gap >>>= 7;
    }
    bytes[end++] = gap;
  }
  return end;
}

/**
 * One file's references as the index stores them (a `refs` row per name): each name's count and
 * its lines, encoded as `encodeLines` does, all names' lines in one buffer (`ends[k]` is where name
 * k's end). Made where the file is parsed (a parse worker): one buffer and a few arrays cross to
 * the writing thread instead of an object per occurrence (253k for zod's sources).
 */
export interface PackedRefs {
  names: string[];
  counts: number[];
  ends: number[];
  lines: Uint8Array;
}

/**
 * @example
 * packRefs([{ name: 'a', line: 3 }, { name: 'b', line: 1 }, { name: 'a', line: 4 }]);
 * // { names: ['a', 'b'], counts: [2, 1], ends: [2, 3], lines: <03 01 01> }
 */
export function packRefs(refs: readonly { name: string; line: number }[]): PackedRefs {
  const byName = new Map<string, number[]>();
  for (const { name, line } of refs) {
    const lines = byName.get(name);
    if (lines === undefined) byName.set(name, [line]);
    else lines.push(line);
  }
  const bytes = new Uint8Array(refs.length * MAX_LINE_BYTES);
  const packed: PackedRefs = { names: [], counts: [], ends: [], lines: bytes };
  let end = 0;
  for (const [name, lines] of byName) {
    end = writeLines(lines.sort((a, b) => a - b), bytes, end);
    packed.names.push(name);
    packed.counts.push(lines.length);
    packed.ends.push(end);
  }
  packed.lines = bytes.slice(0, end);
  return packed;
}

/**
 * @example
 * decodeLines(encodeLines([3, 4, 200])); // [3, 4, 200]
 */
export function decodeLines(blob: Uint8Array): number[] {
  const lines: number[] = [];
  let previous = 0;
  let gap = 0;
  let shift = 0;
  for (const byte of blob) {
    gap |= (byte & 0x7f) << shift;
    if (byte & 0x80) {
      shift += 7;
      continue;
    }
    previous += gap;
    lines.push(previous);
    gap = 0;
    shift = 0;
  }
  return lines;
}
