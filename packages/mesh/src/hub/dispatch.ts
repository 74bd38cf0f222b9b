/**
 * Sending a job to a host: a named one, or `any` (free slots, no rate-limit pause, the working
 * directory present there). Every dispatch carries an idempotency key, and a dispatch whose answer
 * was lost with the link is retried with the same key, so the host's daemon runs it once.
 */
import { ulid } from 'ulidx';
import { shellQuote } from '@flotilla/kit/tmux';
import { JobSchema, ProtocolError, errorFromEnvelope, type CreateJobRequest, type Host, type Job } from '@flotilla/protocol';
import type { HostConnection } from './host-connection.js';
import type { Hub } from './hub.js';
import { reachable, requireHost } from './fleet-proxy.js';
import { withFleetHost } from './mirror-rules.js';

const SEND_ATTEMPTS = 4;
const SEND_RETRY_MS = 2_000;

/** `host`: a host's name, or `any`. */
export async function dispatchJob(hub: Hub, request: CreateJobRequest, host: string): Promise<Job> {
  const connection = host === 'any' ? await pickHost(hub, request.cwd) : requireHost(hub, host);
  const keyed = { ...request, idempotencyKey: request.idempotencyKey ?? `mesh-${ulid()}` };
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt += 1) {
    try {
      const res = await reachable(connection).request({ method: 'POST', path: '/api/jobs', body: keyed });
      if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
      const job = withFleetHost(JobSchema.parse(res.body), connection.name);
      hub.store.rememberJob(connection.name, job);
      return job;
    } catch (error) {
      if (!isLinkFailure(error)) throw error;
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, SEND_RETRY_MS));
    }
  }
  throw new ProtocolError('HOST_UNREACHABLE', `the dispatch to ${connection.name} was not confirmed: ${(lastError as Error).message}`, {
    fix: `sending it again with --idempotency-key ${keyed.idempotencyKey} is safe: the host runs it at most once`,
    details: { idempotencyKey: keyed.idempotencyKey },
  });
}

/**
 * The best host for a job: reachable, not paused, the directory there; a host with a daemon before
 * a bare one (driven through tmux, with fewer features); then most free slots, lowest latency.
 */
export async function pickHost(hub: Hub, cwd: string | undefined): Promise<HostConnection> {
  const reasons: string[] = [];
  const candidates: HostConnection[] = [];
  for (const host of hub.hosts()) {
    const connection = hub.connection(host.name)!;
    if (host.state !== 'up' || host.mode === null) reasons.push(`${host.name}: ${host.state === 'up' ? 'no daemon' : host.state}`);
    else if (host.paused) reasons.push(`${host.name}: rate-limit pause`);
    else if (host.freeSlots === 0) reasons.push(`${host.name}: no free slot (${host.running}/${host.slots} running)`);
    else candidates.push(connection);
  }
  const withDirectory = cwd ? await filterByDirectory(candidates, cwd, reasons) : candidates;
  const best = withDirectory.sort((a, b) => score(b.host()) - score(a.host()))[0];
  if (!best) {
    throw new ProtocolError('NO_HOST_AVAILABLE', `no host can take this job now (${reasons.join('; ') || 'no hosts'})`, {
      fix: 'name one with --host, or wait for a free slot',
    });
  }
  return best;
}

/** Any host with a daemon outranks every bare one. */
const DAEMON_FIRST = 1e9;

export function score(host: Pick<Host, 'mode' | 'freeSlots' | 'latencyMs'>): number {
  return (host.mode === 'daemon' ? DAEMON_FIRST : 0) + host.freeSlots * 10_000 - (host.latencyMs ?? 5_000);
}

async function filterByDirectory(candidates: HostConnection[], cwd: string, reasons: string[]): Promise<HostConnection[]> {
  const checks = await Promise.all(
    candidates.map(async (connection) => {
      const result = await connection.exec(`test -d ${shellQuote([cwd])}`, 10_000).catch(() => null);
      if (result?.code !== 0) reasons.push(`${connection.name}: no ${cwd}`);
      return result?.code === 0 ? connection : null;
    }),
  );
  return checks.filter((connection): connection is HostConnection => connection !== null);
}

/** The link dropped or the daemon vanished mid-request: the outcome is unknown, a keyed retry is safe. */
function isLinkFailure(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'DAEMON_UNAVAILABLE' || code === 'TRANSPORT_FAILED' || code === 'HOST_UNREACHABLE';
}
