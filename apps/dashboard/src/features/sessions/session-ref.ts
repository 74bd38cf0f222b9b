import type { Session } from '@flotilla/protocol';
import { useLive } from '../../live/hooks';

/**
 * How the page names a session in its address and its calls: on a hub `name@host` (two hosts may
 * each run a session of that name, and the hub passes the call to that host), on a lone daemon
 * the name. Session names never contain `@`, so the two forms cannot be confused.
 */
export function sessionRef(session: Pick<Session, 'name' | 'host'>, onHub: boolean): string {
  return onHub ? `${session.name}@${session.host}` : session.name;
}

/** `name@host` → both; a plain name → no host. */
export function splitSessionRef(ref: string): { name: string; host: string | null } {
  const at = ref.lastIndexOf('@');
  return at > 0 ? { name: ref.slice(0, at), host: ref.slice(at + 1) } : { name: ref, host: null };
}

/** The page of a session. */
export function sessionPath(ref: string): string {
  return `/sessions/${encodeURIComponent(ref)}`;
}

/** `sessionRef` for this server (a hub or a lone daemon). */
export function useSessionRef(): (session: Pick<Session, 'name' | 'host'>) => string {
  const onHub = useLive((s) => s.capabilities?.kind === 'hub');
  return (session) => sessionRef(session, onHub);
}
