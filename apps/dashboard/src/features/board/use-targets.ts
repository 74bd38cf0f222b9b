import { useEffect, useMemo, useState } from 'react';
import type { AgentProfile } from '@flotilla/protocol';
import { hubClient } from '../../api/hub-client';
import { useLive } from '../../live/hooks';

/**
 * Who work or a message can be addressed to: live sessions by name and the roles agents declared
 * (`@reviewer`), for the pickers' suggestions. Profiles are asked once; without them the sessions
 * still are suggested.
 */
export function useTargets(): { sessions: string[]; roles: string[] } {
  const live = useLive((s) => s.sessions);
  const [profiles, setProfiles] = useState<AgentProfile[]>([]);
  useEffect(() => {
    let alive = true;
    hubClient.profiles().then(
      (list) => alive && setProfiles(list),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, []);
  return useMemo(() => {
    const sessions = [...new Set([...live.values()].filter((s) => s.state !== 'exited').map((s) => s.name))].sort();
    const roles = [...new Set(profiles.flatMap((p) => p.roles))].sort().map((role) => `@${role}`);
    return { sessions, roles };
  }, [live, profiles]);
}
