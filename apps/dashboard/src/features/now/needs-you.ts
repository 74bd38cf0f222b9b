import type { InboxEntry, Job, Session } from '@flotilla/protocol';
import type { Alert } from '../../live/live-state';

/** One thing that needs the person, most urgent first. */
export type NeedItem =
  | { kind: 'session'; key: string; session: Session | null; entry: Extract<InboxEntry, { kind: 'session' }>; stuck: boolean }
  | { kind: 'job'; key: string; job: Job };

const FAILED = new Set(['failed', 'dead']);

/**
 * What needs the person now: sessions asking permission, then sessions waiting for input (stuck
 * ones first: the watchdog announced them), then failed jobs nobody has read.
 */
export function needsYou(inbox: readonly InboxEntry[], sessions: ReadonlyMap<string, Session>, jobs: ReadonlyMap<string, Job>, alerts: readonly Alert[]): NeedItem[] {
  const items: NeedItem[] = [];
  for (const entry of inbox) {
    if (entry.kind !== 'session') continue;
    const session = sessions.get(entry.sessionId) ?? null;
    const stuck = alerts.some((alert) => alert.kind === 'stuck' && alert.sessionId === entry.sessionId && alert.at >= entry.since);
    items.push({ kind: 'session', key: `s:${entry.sessionId}`, session, entry, stuck });
  }
  const rank = (item: NeedItem) => (item.kind === 'session' ? (item.entry.state === 'waiting_permission' ? 0 : item.stuck ? 1 : 2) : 3);
  const failed = [...jobs.values()].filter((job) => FAILED.has(job.status) && job.unread).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  for (const job of failed) items.push({ kind: 'job', key: `j:${job.id}`, job });
  return items.sort((a, b) => rank(a) - rank(b) || since(a).localeCompare(since(b)));
}

function since(item: NeedItem): string {
  return item.kind === 'session' ? item.entry.since : item.job.updatedAt;
}

const ACTIVE_JOB = new Set(['queued', 'starting', 'running', 'retry_wait']);

export interface HostGroup {
  host: string;
  jobs: Job[];
  sessions: Session[];
}

/** Everything running, per host: live jobs (oldest first) and sessions that have not exited. */
export function runningByHost(jobs: ReadonlyMap<string, Job>, sessions: ReadonlyMap<string, Session>): HostGroup[] {
  const groups = new Map<string, HostGroup>();
  const group = (host: string) => {
    let g = groups.get(host);
    if (!g) groups.set(host, (g = { host, jobs: [], sessions: [] }));
    return g;
  };
  for (const job of jobs.values()) if (ACTIVE_JOB.has(job.status)) group(job.host).jobs.push(job);
  for (const session of sessions.values()) if (session.state !== 'exited') group(session.host).sessions.push(session);
  for (const g of groups.values()) {
    g.jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    g.sessions.sort((a, b) => a.name.localeCompare(b.name));
  }
  return [...groups.values()].sort((a, b) => a.host.localeCompare(b.host));
}
