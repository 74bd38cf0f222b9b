/**
 * What runs in SSH session channels: `exec` and SFTP transfers. OpenSSH's MaxSessions (default
 * 10) limits these per connection, so the link runs at most `maxSessionChannels` at once.
 */
import { stat } from 'node:fs/promises';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { ExecOptions, ExecResult } from './host-link.js';
import { LinkError } from './link-errors.js';

export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
/** After the KILL request, how long the channel may take to close by itself. */
const KILL_GRACE_MS = 2_000;

/** Runs `command` and collects its output; kills the channel after `timeoutMs`. */
export function execOn(client: Client, hostName: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(new LinkError('CHANNEL_FAILED', `cannot run a command on ${hostName}: ${error.message}`, { cause: error }));
      collect(channel, { hostName, command, timeoutMs }).then(resolve, reject);
      channel.end(options.stdin ?? '');
    });
  });
}

function collect(channel: ClientChannel, context: { hostName: string; command: string; timeoutMs: number }): Promise<ExecResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let code: number | null = null;
  let signal: string | null = null;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // sshd kills the session's process group on a signal request; closing the channel at once
      // would drop the request (a command without a tty lives on after its channel closes).
      killSession(channel);
      setTimeout(() => channel.close(), KILL_GRACE_MS).unref();
      reject(new LinkError('EXEC_TIMEOUT', `\`${context.command}\` on ${context.hostName} ran longer than ${context.timeoutMs} ms and was killed`));
    }, context.timeoutMs);
    channel.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(new LinkError('LINK_DOWN', `\`${context.command}\` on ${context.hostName}: ${error.message}`, { cause: error }));
    });
    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
      code = typeof exitCode === 'number' ? exitCode : null;
      signal = exitSignal ?? null;
    });
    channel.once('close', () => {
      clearTimeout(timer);
      const result = { code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      if (code === null && signal === null) reject(new LinkError('LINK_DOWN', `\`${context.command}\` on ${context.hostName}: the channel closed without an exit status (the link dropped?)`));
      else resolve(result);
    });
  });
}

/**
 * Sends a KILL signal request for the session. ssh2's `channel.signal()` silently does nothing
 * once stdin was ended (it checks `writable`; the channel's state is then `eof`), and every exec
 * ends stdin at once; the request is valid on a half-closed channel, so it goes through ssh2's
 * protocol object directly. OpenSSH refuses it for root logins ("session signalling requires
 * privilege separation": a root session runs in the monitor): there a timed-out command lives on.
 */
function killSession(channel: ClientChannel): void {
  const internals = channel as unknown as { outgoing?: { id?: number; state?: string }; _client?: { _protocol?: { signal(id: number, name: string): void } } };
  const id = internals.outgoing?.id;
  const protocol = internals._client?._protocol;
  const state = internals.outgoing?.state;
  if (id === undefined || (state !== 'open' && state !== 'eof') || protocol === undefined) return;
  try {
    protocol.signal(id, 'KILL');
  } catch {
    // the connection is gone: so is the session
  }
}

/** Copies a local file to the host, keeping its mode. */
export async function putFileOn(client: Client, hostName: string, localPath: string, remotePath: string): Promise<void> {
  const { mode } = await stat(localPath);
  await withSftp(client, hostName, (sftp, done) => sftp.fastPut(localPath, remotePath, { mode: mode & 0o7777 }, done), `copy ${localPath} to ${hostName}:${remotePath}`);
}

export async function getFileFrom(client: Client, hostName: string, remotePath: string, localPath: string): Promise<void> {
  await withSftp(client, hostName, (sftp, done) => sftp.fastGet(remotePath, localPath, done), `copy ${hostName}:${remotePath} to ${localPath}`);
}

function withSftp(client: Client, hostName: string, transfer: (sftp: SFTPWrapper, done: (error?: Error | null) => void) => void, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.sftp((error, sftp) => {
      if (error) return reject(new LinkError('CHANNEL_FAILED', `cannot open SFTP on ${hostName}: ${error.message}`, { cause: error }));
      sftp.on('error', () => undefined); // failures reach the transfer's callback
      transfer(sftp, (transferError) => {
        sftp.end();
        if (transferError) reject(new LinkError('SFTP_FAILED', `cannot ${what}: ${transferError.message}`, { cause: transferError }));
        else resolve();
      });
    });
  });
}
