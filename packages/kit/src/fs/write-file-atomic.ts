import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteFileAtomicOptions {
  /** File mode for the new file (applied exactly, regardless of umask), e.g. `0o600` for secrets. */
  mode?: number;
  /** fsync the file and its directory (default true). Turn off only for throwaway files. */
  fsync?: boolean;
}

/**
 * Replaces `path` with `data` so readers see the old content or the new, never a mix: writes a
 * temp file in the same directory, fsyncs it, renames it over `path`, then fsyncs the directory.
 *
 * @example await writeFileAtomic(join(home, 'token'), token, { mode: 0o600 });
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const sync = options.fsync !== false;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o666);
    try {
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.writeFile(data);
      if (sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
    if (sync) await syncDirectory(dirname(path));
  } finally {
    if (!renamed) await rm(temp, { force: true });
  }
}

/** Makes a rename or create durable. Best effort: some platforms cannot open directories. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // EISDIR/EPERM on platforms that do not support fsync on directories; nothing more to do.
  }
}
