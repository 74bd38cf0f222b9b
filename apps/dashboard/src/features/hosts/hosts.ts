import type { Host, HostKeyStatus, Job } from '@flotilla/protocol';
import { formatTime } from '../../ui/format';
import type { Tone } from '../../ui/words';

/** A host's link in words: `up`, `connecting…`, `unreachable since 14:02`, `refused — …`. */
export function hostStateWords(host: Host, now = Date.now()): { label: string; tone: Tone } {
  switch (host.state) {
    case 'up':
      return { label: 'up', tone: 'good' };
    case 'connecting':
      return { label: 'connecting…', tone: 'active' };
    case 'down':
      return { label: `unreachable since ${formatTime(host.since, now)}`, tone: 'bad' };
    case 'refused':
      return { label: `refused — ${refusalReason(host)}`, tone: 'bad' };
  }
}

function refusalReason(host: Host): string {
  switch (host.hostKey?.verdict) {
    case 'unknown':
      return 'its host key is not trusted yet';
    case 'changed':
      return 'its host key changed';
    case 'revoked':
      return 'its host key is revoked';
    default:
      return host.error ?? 'the host refused the connection';
  }
}

export const KEY_VERDICT_WORDS: Record<HostKeyStatus['verdict'], { label: string; tone: Tone; meaning: string }> = {
  known: { label: 'known', tone: 'good', meaning: 'matches known_hosts' },
  unknown: { label: 'not trusted yet', tone: 'attention', meaning: 'not in known_hosts: compare the fingerprint with the host’s own, then trust it once' },
  changed: {
    label: 'changed',
    tone: 'bad',
    meaning: 'differs from the key in known_hosts: someone may be impersonating the host; if it was reinstalled, remove the old key first',
  },
  revoked: { label: 'revoked', tone: 'bad', meaning: 'marked @revoked in known_hosts: it will not be trusted' },
};

/** What to run so the hub accepts the host's key, or null when nothing should be run. */
export function trustCommands(host: Host): string[] | null {
  const verdict = host.hostKey?.verdict;
  if (verdict === 'unknown') return [`mesh hosts trust ${host.name}`];
  if (verdict === 'changed') return [`ssh-keygen -R ${knownHostsName(host.target)}`, `mesh hosts trust ${host.name}`];
  return null;
}

/** The name known_hosts files the target under: `host`, or `[host]:port` off port 22. */
export function knownHostsName(target: string): string {
  const hop = target.split(/\s+/)[0] ?? target;
  const hostPort = hop.includes('@') ? hop.slice(hop.lastIndexOf('@') + 1) : hop;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort);
  if (!match) return hostPort;
  const name = match[1]!.replace(/^\[|\]$/g, '');
  return match[2] && match[2] !== '22' ? `[${name}]:${match[2]}` : name;
}

/** `2 running · 1 queued · 3 sessions · 2 of 4 slots free`. */
export function loadWords(host: Host): string {
  const parts = [`${host.running} running`, `${host.queued} queued`, `${host.sessions} ${host.sessions === 1 ? 'session' : 'sessions'}`];
  parts.push(`${host.freeSlots} of ${host.slots} ${host.slots === 1 ? 'slot' : 'slots'} free`);
  return parts.join(' · ');
}

export function latencyWords(host: Host): string {
  if (host.latencyMs === null) return 'latency unknown';
  return `latency ${host.latencyMs < 10 ? host.latencyMs.toFixed(1) : Math.round(host.latencyMs)} ms`;
}

const RUNNING = new Set<Job['status']>(['starting', 'running']);

/** The jobs running on each host, oldest first. */
export function runningJobsByHost(jobs: ReadonlyMap<string, Job>): Map<string, Job[]> {
  const byHost = new Map<string, Job[]>();
  for (const job of jobs.values()) {
    if (!RUNNING.has(job.status)) continue;
    const list = byHost.get(job.host) ?? [];
    list.push(job);
    byHost.set(job.host, list);
  }
  for (const list of byHost.values()) list.sort((a, b) => (a.startedAt ?? a.createdAt).localeCompare(b.startedAt ?? b.createdAt));
  return byHost;
}
