/**
 * Connecting to a host once, as `mesh hosts add`, `trust` and `ls` (without a hub) do: a link
 * opened, its first outcome awaited (up, down or refused), then closed by the caller.
 */
import type { Host } from '@flotilla/protocol';
import { createClient, DaemonStatusSchema } from '@flotilla/protocol';
import type { HostLink, LinkStatus } from '../link/host-link.js';
import { openHostLink } from '../link/open-host-link.js';
import type { SshConfigOptions } from '../ssh/ssh-config.js';

export interface ProbeOptions {
  name: string;
  spec: string;
  sshConfig: SshConfigOptions;
  agentSocket: string | null;
  /** For the first outcome (default 15 s). */
  timeoutMs?: number;
}

export interface Probe {
  link: Required<HostLink>;
  status: LinkStatus;
}

/** Opens a link and waits for its first outcome. Close `link` when done. */
export async function probeHost(options: ProbeOptions): Promise<Probe> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const link = openHostLink({ name: options.name, target: options.spec, sshConfig: options.sshConfig, agentSocket: options.agentSocket, readyTimeoutMs: timeoutMs });
  const status = await new Promise<LinkStatus>((resolve) => {
    const settle = (current: LinkStatus): void => {
      if (current.state === 'connecting') return;
      clearTimeout(timer);
      off();
      resolve(current);
    };
    const timer = setTimeout(() => {
      off();
      resolve({ ...link.status(), state: 'down', error: `no answer within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs + 1_000);
    const off = link.onStatus(settle);
    settle(link.status());
  });
  return { link, status };
}

/** What `mesh hosts ls` shows for a host probed directly (no hub): the hub's `Host` object. */
export async function probeHostReport(options: ProbeOptions, now: () => Date = () => new Date()): Promise<Host> {
  const { link, status } = await probeHost(options);
  try {
    const base = emptyHost(options, link.describeTarget() ?? options.spec, status);
    if (status.state !== 'up') return base;
    return await readDaemon(link, base, now);
  } finally {
    await link.close();
  }
}

function emptyHost(options: ProbeOptions, target: string, status: LinkStatus): Host {
  return {
    name: options.name,
    spec: options.spec,
    target,
    state: status.state,
    since: status.since,
    latencyMs: null,
    error: status.error,
    hostKey: status.hostKey,
    mode: null,
    cbVersion: null,
    running: 0,
    queued: 0,
    sessions: 0,
    slots: 0,
    freeSlots: 0,
    paused: false,
    lastSeenAt: null,
  };
}

/** `cb daemon status --json` over exec, then sessions and pauses from the daemon over the link. */
async function readDaemon(link: Required<HostLink>, base: Host, now: () => Date): Promise<Host> {
  const seenAt = now().toISOString();
  const result = await link.exec('cb daemon status --json', { timeoutMs: 20_000 }).catch((error: Error) => ({ code: -1, stdout: '', stderr: error.message }));
  const parsed = result.code === 0 ? DaemonStatusSchema.safeParse(safeJson(result.stdout)) : null;
  if (parsed === null || !parsed.success) {
    const why = result.code === 127 ? '`cb` is not installed there (or not on the PATH of SSH commands)' : `cb daemon is not running there (${firstLine(result.stderr || result.stdout) || `exit ${result.code}`})`;
    return { ...base, error: why, lastSeenAt: seenAt };
  }
  const daemon = parsed.data;
  const client = createClient(link.transport(daemon.socket));
  const started = performance.now();
  try {
    const sessions = await client.listSessions();
    const latencyMs = Math.round(performance.now() - started);
    const pauses = await client.pauses();
    return {
      ...base,
      latencyMs,
      mode: 'daemon',
      cbVersion: daemon.version,
      running: daemon.running,
      queued: daemon.queued,
      sessions: sessions.length,
      slots: daemon.slots,
      freeSlots: Math.max(0, daemon.slots - daemon.running),
      paused: pauses.length > 0,
      lastSeenAt: seenAt,
    };
  } catch (error) {
    return { ...base, mode: 'daemon', cbVersion: daemon.version, error: `the daemon did not answer over the link: ${(error as Error).message}`, lastSeenAt: seenAt };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
