import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { errnoCode } from '../internal/errors.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';

const debug = createDebug('kit:http');

/** An empty token file is re-read this often, this many times, before it is replaced. */
const EMPTY_RETRY_MS = 20;
const EMPTY_RETRIES = 10;

/** A fresh secret: 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Returns the token stored in `path`, creating the file (mode 0600, parent directories 0700) with a
 * fresh token when it is missing or empty. Concurrent callers all end up with the same token, and a
 * file readable by others is tightened to 0600.
 *
 * @example const token = await readOrCreateTokenFile(join(home, 'token'));
 */
export async function readOrCreateTokenFile(path: string): Promise<string> {
  let existing = await readToken(path);
  // Empty: either abandoned, or another process is between its create and its write.
  for (let i = 0; existing === '' && i < EMPTY_RETRIES; i++) {
    await sleep(EMPTY_RETRY_MS);
    existing = await readToken(path);
  }
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const token = generateToken();
  if (existing === '') {
    await writeFileAtomic(path, `${token}\n`, { mode: 0o600 });
    return token;
  }
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
    // Another process created it between our read and our create: use theirs.
    return (await readToken(path)) || readOrCreateTokenFile(path);
  }
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${token}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return token;
}

/** The trimmed token, '' for an empty file, undefined when there is no file. */
async function readToken(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) {
    debug('token file %s had mode %s; tightening to 0600', path, (mode & 0o777).toString(8));
    await chmod(path, 0o600);
  }
  return text.trim();
}
