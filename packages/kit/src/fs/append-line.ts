import { fsync, write } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { KitError } from '../internal/errors.js';

export type AppendLineErrorCode = 'FS_INVALID_LINE';

const writeFd = promisify(write);
const fsyncFd = promisify(fsync);

export interface AppendLineOptions {
  /** fsync after writing (default false: the page cache survives a process crash, not a power cut). */
  fsync?: boolean;
}

/**
 * Appends `line` plus `\n` with a single `write` in append mode, so concurrent appenders never
 * interleave inside a line and a follower sees either nothing or the whole line plus newline.
 * `target` is a path (opened with `O_APPEND` for this one call), an fd or a FileHandle that the
 * caller opened with flag `'a'`.
 *
 * @example await appendLine(eventsPath, JSON.stringify(event));
 */
export async function appendLine(target: string | number | FileHandle, line: string, options: AppendLineOptions = {}): Promise<void> {
  if (line.includes('\n')) {
    throw new KitError<AppendLineErrorCode>('FS_INVALID_LINE', 'appendLine: the line contains a newline; encode it first (e.g. JSON.stringify)');
  }
  const data = Buffer.from(`${line}\n`, 'utf8');
  if (typeof target === 'string') {
    const handle = await open(target, 'a');
    try {
      await writeAll(handle, data, options.fsync === true);
    } finally {
      await handle.close();
    }
    return;
  }
  if (typeof target === 'number') {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await writeFd(target, data, offset, data.length - offset, null);
      offset += bytesWritten;
    }
    if (options.fsync === true) await fsyncFd(target);
    return;
  }
  await writeAll(target, data, options.fsync === true);
}

async function writeAll(handle: FileHandle, data: Buffer, sync: boolean): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
    offset += bytesWritten;
  }
  if (sync) await handle.sync();
}
