import { useEffect, useMemo, useState } from 'react';
import type { Session } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { useLive } from '../../live/hooks';
import { findByName } from './session-lists';
import { splitSessionRef } from './session-ref';

/**
 * The session called `name` (`name@host` on a hub), live from the store; fetched once when the store does not hold it
 * (not loaded yet, or an old one it never listed).
 */
export function useSession(name: string): { session: Session | null; error: string | null } {
  const sessions = useLive((s) => s.sessions);
  const live = useMemo(() => {
    const { name: plain, host } = splitSessionRef(name);
    return findByName([...sessions.values()].filter((session) => host === null || session.host === host), plain);
  }, [sessions, name]);
  const [fetched, setFetched] = useState<{ name: string; session: Session | null; error: string | null } | null>(null);
  const missing = live === null;

  useEffect(() => {
    if (!missing) return undefined;
    let cancelled = false;
    client.getSession(name).then(
      (session) => !cancelled && setFetched({ name, session, error: null }),
      (error: unknown) => !cancelled && setFetched({ name, session: null, error: describeError(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [name, missing]);

  if (live) return { session: live, error: null };
  if (fetched?.name !== name) return { session: null, error: null };
  return { session: fetched.session, error: fetched.error };
}
