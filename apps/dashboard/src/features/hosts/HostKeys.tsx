import { useMemo } from 'react';
import { useLive } from '../../live/hooks';
import { Badge, Empty, Section } from '../../ui/components';
import { KEY_VERDICT_WORDS, trustCommands } from './hosts';
import './hosts.css';

/** The Security page's section on a hub: each host's SSH key fingerprint and what known_hosts says of it. */
export function HostKeys() {
  const hosts = useLive((s) => s.hosts);
  const list = useMemo(() => [...hosts.values()].sort((a, b) => a.name.localeCompare(b.name)), [hosts]);
  return (
    <Section title="Hosts’ keys" id="security-host-keys">
      <p className="muted section-note">The hub checks every host’s key against known_hosts (strict checking); an unknown key is refused until you trust it once, a changed key always.</p>
      {list.length === 0 ? <Empty>No host in the fleet yet.</Empty> : null}
      <ul className="rows" data-testid="host-keys">
        {list.map((host) => {
          const words = host.hostKey ? KEY_VERDICT_WORDS[host.hostKey.verdict] : null;
          const commands = trustCommands(host);
          return (
            <li key={host.name} className="row host-key-row" data-host={host.name}>
              <div>
                <div className="row-title">
                  {host.name} <span className="muted mono">{host.target}</span>
                </div>
                <div className="row-meta">
                  {host.hostKey ? <span className="mono fingerprint">{`${host.hostKey.keyType} ${host.hostKey.fingerprint}`}</span> : <span>key not seen yet</span>}
                  {commands ? <span className="mono">{commands.join(' && ')}</span> : null}
                </div>
              </div>
              <div className="row-side">{words ? <Badge tone={words.tone} title={words.meaning}>{words.label}</Badge> : <Badge tone="muted">not seen</Badge>}</div>
            </li>
          );
        })}
      </ul>
    </Section>
  );
}
