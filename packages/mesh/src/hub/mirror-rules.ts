/**
 * Which job or session an event carries, and which of two copies is newer. The mirror keeps the
 * newest copy whatever order a snapshot and the event stream deliver them in.
 */
import type { FlotillaEvent, Job, Session } from '@flotilla/protocol';

export function jobFromEvent(event: FlotillaEvent): Job | null {
  return 'job' in event && event.job ? (event.job as Job) : null;
}

export function sessionFromEvent(event: FlotillaEvent): Session | null {
  return 'session' in event && event.session ? (event.session as Session) : null;
}

/** True when `incoming` is at least as new as `known` (equal times: the later arrival wins). */
export function newerThan(incoming: string, known: string): boolean {
  return Date.parse(incoming) >= Date.parse(known);
}

/** Objects from a daemon carry the daemon's own host name; the fleet names a host as the hub does. */
export function withFleetHost<T>(value: T, host: string): T {
  if (Array.isArray(value)) return value.map((item) => withFleetHost(item, host)) as T;
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...record };
  if (typeof record.host === 'string') copy.host = host;
  for (const key of ['job', 'session', 'pause', 'entry', 'items'] as const) {
    if (key in record && record[key] !== null && typeof record[key] === 'object') copy[key] = withFleetHost(record[key], host);
  }
  return copy as T;
}
