import { useMemo } from 'react';
import type { Host } from '@flotilla/protocol';
import { useLive } from '../../live/hooks';

/** The hosts new work can go to: on a hub its hosts, reachable ones with free slots first; on a lone daemon none (it runs everything). */
export function useHostChoices(): { onHub: boolean; hosts: Host[]; preferred: string | null } {
  const onHub = useLive((s) => s.capabilities?.kind === 'hub');
  const known = useLive((s) => s.hosts);
  return useMemo(() => {
    const hosts = [...known.values()].sort((a, b) => rank(b) - rank(a) || a.name.localeCompare(b.name));
    return { onHub, hosts, preferred: hosts[0]?.name ?? null };
  }, [onHub, known]);
}

function rank(host: Host): number {
  return (host.state === 'up' ? 2 : 0) + (host.freeSlots > 0 ? 1 : 0);
}

function hostWords(host: Host): string {
  if (host.state !== 'up') return `${host.name} (${host.state === 'down' ? 'unreachable' : host.state})`;
  return `${host.name} (${host.freeSlots} of ${host.slots} slots free)`;
}

/** The Host choice of the New job and New session forms. */
export function HostSelect({ value, onChange, fallback }: { value: string | null; onChange: (host: string) => void; fallback: string }) {
  const { onHub, hosts } = useHostChoices();
  if (!onHub) {
    return (
      <select value={fallback} onChange={() => undefined} name="host">
        <option value={fallback}>{fallback}</option>
      </select>
    );
  }
  return (
    <select value={value ?? ''} onChange={(e) => onChange(e.target.value)} name="host" required>
      {hosts.length === 0 ? <option value="">no host yet</option> : null}
      {hosts.map((host) => (
        <option key={host.name} value={host.name}>
          {hostWords(host)}
        </option>
      ))}
    </select>
  );
}
