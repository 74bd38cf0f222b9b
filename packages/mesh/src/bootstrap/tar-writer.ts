/**
 * A small gzip'd tar writer for npm-style package tarballs (`package/…`). Ours rather than
 * `tar -czf … --transform` because: the hub may be a Mac (bsdtar has no --transform), entries
 * are normalized (fixed mtime, uid/gid 0, modes 0644/0755) so a bundle is reproducible, and the
 * rewritten package.json goes in from memory without a staging copy. ustar headers, with a pax
 * `path` record for names longer than ustar can hold.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const BLOCK = 512;
/** npm pack's fixed mtime (1985-10-26T08:15:00Z), so equal inputs give equal tarballs. */
const FIXED_MTIME = 499_162_500;

export interface TarEntry {
  /** Path inside the archive, e.g. `package/dist/index.js`. */
  path: string;
  data: Buffer;
  /** Only the executable bit matters: 0755 when any x bit is set, else 0644. */
  mode: number;
}

/** The entries as one `.tgz` buffer. */
export async function tarGz(entries: readonly TarEntry[]): Promise<Buffer> {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const mode = entry.mode & 0o111 ? 0o755 : 0o644;
    const split = splitUstarPath(entry.path);
    if (split === null) {
      const record = paxRecord('path', entry.path);
      blocks.push(header({ name: 'PaxHeader', prefix: '', size: record.length, mode: 0o644, type: 'x' }), pad(record));
      blocks.push(header({ name: entry.path.slice(-99).replace(/^\/+/, ''), prefix: '', size: entry.data.length, mode, type: '0' }));
    } else {
      blocks.push(header({ ...split, size: entry.data.length, mode, type: '0' }));
    }
    blocks.push(pad(entry.data));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return gzipAsync(Buffer.concat(blocks));
}

/** ustar keeps up to 100 bytes of name plus a 155-byte prefix split at a `/`; null when it cannot. */
function splitUstarPath(path: string): { name: string; prefix: string } | null {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
    const prefix = path.slice(0, at);
    const name = path.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  return null;
}

/** A pax record `"<len> key=value\n"`, where len counts the whole record including itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return Buffer.from(`${length}${body}`);
}

interface HeaderFields {
  name: string;
  prefix: string;
  size: number;
  mode: number;
  type: '0' | 'x';
}

function header(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100);
  writeOctal(block, fields.mode, 100, 8);
  writeOctal(block, 0, 108, 8);
  writeOctal(block, 0, 116, 8);
  writeOctal(block, fields.size, 124, 12);
  writeOctal(block, FIXED_MTIME, 136, 12);
  block.write(fields.type, 156, 1);
  block.write('ustar\u000000', 257, 8);
  block.write(fields.prefix, 345, 155);
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8);
  return block;
}

function writeOctal(block: Buffer, value: number, offset: number, width: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, width);
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
