import { memo, useState } from 'react';
import type { Host, Job } from '@flotilla/protocol';
import { describeError } from '../../api/client';
import { hubClient } from '../../api/hub-client';
import { Link } from '../../app/router';
import { useLiveStore } from '../../live/hooks';
import { Badge, Button } from '../../ui/components';
import { firstLine, formatFullTime } from '../../ui/format';
import { hostStateWords, latencyWords, loadWords } from './hosts';
import { KeyAdvice } from './KeyAdvice';

/** One host: its link in words, latency, cb version, load, free slots, pause, and what runs there. */
export const HostRow = memo(function HostRow({ host, jobs }: { host: Host; jobs: readonly Job[] }) {
  const state = hostStateWords(host);
  return (
    <li className="host-row" data-host={host.name} data-state={host.state}>
      <div className="host-main">
        <h2 className="host-title">{host.name}</h2>
        <span className="mono muted host-target" title={`added as ${host.spec}`}>
          {host.target}
        </span>
      </div>
      <div className="host-state" data-testid="host-state">
        <Badge tone={state.tone} title={`since ${formatFullTime(host.since)}`}>
          {state.label}
        </Badge>
        {host.paused ? <Badge tone="warn">paused: rate limit</Badge> : null}
      </div>
      <div className="row-meta host-facts">
        <span>{latencyWords(host)}</span>
        <span>{host.cbVersion ? `cb ${host.cbVersion}` : 'cb version unknown'}</span>
        {host.mode === 'tmux' ? <span>driven through tmux (no cb daemon: fewer features)</span> : null}
        <span>{loadWords(host)}</span>
      </div>
      {host.state !== 'up' && host.error && host.state !== 'refused' ? <p className="host-error">{host.error}</p> : null}
      {host.state === 'down' ? <p className="muted host-note">Its jobs keep running there; the hub catches up when it is back.</p> : null}
      {host.state === 'refused' ? <KeyAdvice host={host} /> : null}
      {jobs.length ? <RunningJobs jobs={jobs} /> : null}
      <RemoveHost name={host.name} />
    </li>
  );
});

function RunningJobs({ jobs }: { jobs: readonly Job[] }) {
  return (
    <ul className="plain host-jobs" aria-label="running jobs">
      {jobs.map((job) => (
        <li key={job.id} data-job-id={job.id}>
          <Link to={`/jobs/${job.id}`}>{firstLine(job.prompt, 90)}</Link> <span className="muted">· {job.agent}</span>
        </li>
      ))}
    </ul>
  );
}

/** `mesh hosts rm NAME`, after a second click: the hub stops watching it (its jobs keep running). */
function RemoveHost({ name }: { name: string }) {
  const store = useLiveStore();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function remove(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await hubClient.removeHost(name);
      store.received({ removedHost: name });
    } catch (e) {
      setError(`${describeError(e)} — on the hub’s machine, \`mesh hosts rm ${name}\` does the same.`);
      setBusy(false);
    }
  }
  if (!confirming)
    return (
      <div className="host-remove">
        <Button onClick={() => setConfirming(true)} aria-label={`Remove host ${name}`}>
          Remove…
        </Button>
      </div>
    );
  return (
    <div className="host-remove" role="group" aria-label={`remove ${name}`}>
      <span>Remove {name} from the fleet? Its jobs keep running there.</span>
      <Button variant="danger" disabled={busy} onClick={() => void remove()}>
        {busy ? 'Removing…' : 'Remove'}
      </Button>
      <Button onClick={() => setConfirming(false)} disabled={busy}>
        Keep
      </Button>
      {error ? <span className="inline-error">{error}</span> : null}
    </div>
  );
}
