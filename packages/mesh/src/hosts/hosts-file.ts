/**
 * `$FLOTILLA_HOME/hosts.json`: the fleet's hosts as the user added them (`mesh hosts add`). The
 * hub watches the file and connects to what it lists. Written atomically (0600) under a lock, so
 * two `mesh hosts add` never lose each other's host; a corrupt file is an error, never emptied.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { acquireLock, writeFileAtomic } from '@flotilla/kit/fs';
import { TimestampSchema } from '@flotilla/protocol';

/** A host name: what `mesh run --host NAME` takes and the host's FLOTILLA_HOST_NAME. */
export const FleetHostNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'host names are letters, digits, ".", "_" and "-" (at most 63, starting with a letter or digit)');

export const HostsFileEntrySchema = z.object({
  name: FleetHostNameSchema,
  /** What the user typed: an ssh alias or `user@host[:port]`, resolved again on every connection. */
  spec: z.string().min(1).max(300),
  addedAt: TimestampSchema,
});
export type HostsFileEntry = z.infer<typeof HostsFileEntrySchema>;

export const HostsFileSchema = z
  .object({ version: z.literal(1), hosts: z.array(HostsFileEntrySchema) })
  .refine((file) => new Set(file.hosts.map((host) => host.name)).size === file.hosts.length, 'a host name appears twice');
export type HostsFile = z.infer<typeof HostsFileSchema>;

export type HostsFileErrorCode = 'HOSTS_FILE_INVALID' | 'HOST_EXISTS' | 'HOST_NOT_FOUND';

export class HostsFileError extends Error {
  readonly code: HostsFileErrorCode;
  readonly fix: string | undefined;
  constructor(code: HostsFileErrorCode, message: string, fix?: string) {
    super(message);
    this.name = 'HostsFileError';
    this.code = code;
    this.fix = fix;
  }
}

const FILE_MODE = 0o600;

/** The file's hosts; a missing file is an empty fleet. Throws `HOSTS_FILE_INVALID` on anything unreadable. */
export async function readHostsFile(path: string): Promise<HostsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, hosts: [] };
    throw new HostsFileError('HOSTS_FILE_INVALID', `cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `not JSON (${(error as Error).message})`);
  }
  const parsed = HostsFileSchema.safeParse(json);
  if (!parsed.success) throw invalid(path, z.prettifyError(parsed.error));
  return parsed.data;
}

function invalid(path: string, why: string): HostsFileError {
  return new HostsFileError('HOSTS_FILE_INVALID', `${path} is not a valid hosts file: ${why}`, `fix the file by hand or move it aside (mesh hosts add writes a new one)`);
}

/** Adds `entry`; `HOST_EXISTS` when the name is taken. */
export async function addHostEntry(path: string, entry: HostsFileEntry): Promise<void> {
  const checked = HostsFileEntrySchema.parse(entry);
  await updateHostsFile(path, (file) => {
    if (file.hosts.some((host) => host.name === checked.name)) {
      throw new HostsFileError('HOST_EXISTS', `a host named ${checked.name} is already in ${path}`, `pick another name with --name, or \`mesh hosts rm ${checked.name}\` first`);
    }
    return { version: 1, hosts: [...file.hosts, checked] };
  });
}

/** Removes the host called `name` and returns it; `HOST_NOT_FOUND` when there is none. */
export async function removeHostEntry(path: string, name: string): Promise<HostsFileEntry> {
  let removed: HostsFileEntry | undefined;
  await updateHostsFile(path, (file) => {
    removed = file.hosts.find((host) => host.name === name);
    if (removed === undefined) throw notFound(path, name, file);
    return { version: 1, hosts: file.hosts.filter((host) => host.name !== name) };
  });
  return removed as HostsFileEntry;
}

/** The host called `name`; `HOST_NOT_FOUND` when there is none. */
export async function findHostEntry(path: string, name: string): Promise<HostsFileEntry> {
  const file = await readHostsFile(path);
  const entry = file.hosts.find((host) => host.name === name);
  if (entry === undefined) throw notFound(path, name, file);
  return entry;
}

function notFound(path: string, name: string, file: HostsFile): HostsFileError {
  const known = file.hosts.map((host) => host.name).join(', ') || 'none';
  return new HostsFileError('HOST_NOT_FOUND', `no host named ${name} in ${path} (hosts: ${known})`, 'add it with `mesh hosts add`');
}

/**
 * Rewrites the file unchanged, so a hub watching it reloads its hosts: after `mesh hosts trust`,
 * the hub then retries links it had refused instead of waiting for its next retry.
 */
export async function touchHostsFile(path: string): Promise<void> {
  await updateHostsFile(path, (file) => file);
}

/** Read-modify-write under `<path>.lock`, written atomically with mode 0600. */
async function updateHostsFile(path: string, change: (file: HostsFile) => HostsFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const lock = await acquireLock(`${path}.lock`);
  try {
    const next = change(await readHostsFile(path));
    await writeFileAtomic(path, `${JSON.stringify(HostsFileSchema.parse(next), null, 2)}\n`, { mode: FILE_MODE });
  } finally {
    await lock.release();
  }
}
