import { useState } from 'react';
import type { Task } from '@flotilla/protocol';
import { describeError } from '../../api/client';
import { hubClient } from '../../api/hub-client';
import { useLiveStore } from '../../live/hooks';
import { Button } from '../../ui/components';

/** Approves a proposed task: it moves to "to do", where agents may claim it. */
export function ApproveButton({ task }: { task: Task }) {
  const store = useLiveStore();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function approve(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      store.received({ task: await hubClient.approveTask(task.id) });
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  }
  return (
    <span className="approve">
      <Button variant="primary" disabled={busy} onClick={() => void approve()} aria-label={`Approve ${task.key}: ${task.title}`}>
        {busy ? 'Approving…' : 'Approve'}
      </Button>
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
