import { useState } from 'react';
import type { Job } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { Button, ErrorNote, Section } from '../../ui/components';
import { jobAbilities } from './job-actions';

type Action = 'cancel' | 'retry' | 'resume';

/** Cancel a live job; retry an ended one; resume it with a follow-up prompt in the same conversation. */
export function JobActions({ job }: { job: Job }) {
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [followUp, setFollowUp] = useState('');
  const can = jobAbilities(job);

  async function run(action: Action): Promise<void> {
    setBusy(action);
    setError(null);
    try {
      if (action === 'cancel') await client.cancelJob(job.id);
      else if (action === 'retry') await client.retryJob(job.id);
      else {
        await client.resumeJob(job.id, followUp.trim());
        setFollowUp('');
      }
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  }

  const canSend = can.resumeBlocked === null && followUp.trim() !== '' && busy === null;
  return (
    <Section title="Actions" id="job-actions">
      <div className="jp-actions">
        {can.cancel ? (
          <Button variant="danger" onClick={() => void run('cancel')} disabled={busy !== null} aria-busy={busy === 'cancel'}>
            Cancel
          </Button>
        ) : null}
        {can.retry ? (
          <Button onClick={() => void run('retry')} disabled={busy !== null} aria-busy={busy === 'retry'} title="Run the prompt again from scratch, as a new attempt">
            Retry
          </Button>
        ) : null}
        {busy ? <span className="muted">{busy === 'cancel' ? 'cancelling…' : busy === 'retry' ? 'retrying…' : 'sending…'}</span> : null}
      </div>
      <form
        className="jp-resume"
        onSubmit={(e) => {
          e.preventDefault();
          if (canSend) void run('resume');
        }}
      >
        <label>
          Follow-up prompt
          <textarea
            rows={3}
            value={followUp}
            placeholder={can.resumeBlocked ?? 'Continue the same conversation: what should the agent do next?'}
            onChange={(e) => setFollowUp(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && canSend) {
                e.preventDefault();
                void run('resume');
              }
            }}
          />
        </label>
        <div className="jp-actions">
          <Button type="submit" variant="primary" disabled={!canSend} aria-busy={busy === 'resume'}>
            Resume
          </Button>
          {can.resumeBlocked ? <span className="muted">{can.resumeBlocked}</span> : <span className="muted">Ctrl+Enter sends</span>}
        </div>
      </form>
      <ErrorNote error={error} />
    </Section>
  );
}
