import { useMemo } from 'react';
import { useLive } from '../live/hooks';
import { HubOnly } from '../features/hosts/HubOnly';
import { Empty, Loading, Section } from '../ui/components';
import { AddHostForm } from '../features/hosts/AddHostForm';
import { HostRow } from '../features/hosts/HostRow';
import { runningJobsByHost } from '../features/hosts/hosts';
import '../features/hosts/hosts.css';

const NO_JOBS: never[] = [];

/** `/hosts` (hub only): every host of the fleet, its link, load and what runs there; add and remove hosts. */
export function HostsPage(_props: { params: Record<string, string> }) {
  const hosts = useLive((s) => s.hosts);
  const jobs = useLive((s) => s.jobs);
  const capabilities = useLive((s) => s.capabilities);
  const list = useMemo(() => [...hosts.values()].sort((a, b) => a.name.localeCompare(b.name)), [hosts]);
  const running = useMemo(() => runningJobsByHost(jobs), [jobs]);
  const up = list.filter((host) => host.state === 'up').length;
  return (
    <div className="page" data-testid="hosts-page">
      <h1>
        Hosts {list.length ? <span className="muted hosts-up">· {up} of {list.length} up</span> : null}
      </h1>
      <HubOnly feature="hosts">
        {capabilities === null ? <Loading lines={6} /> : null}
        {capabilities !== null && list.length === 0 ? <Empty>No host in the fleet yet: add one below (an alias from ~/.ssh/config).</Empty> : null}
        <ul className="host-list" data-testid="hosts">
          {list.map((host) => (
            <HostRow key={host.name} host={host} jobs={running.get(host.name) ?? NO_JOBS} />
          ))}
        </ul>
        <Section title="Add a host" id="hosts-add">
          <AddHostForm />
        </Section>
      </HubOnly>
    </div>
  );
}
