import { useState } from 'react';
import { client, describeError } from '../../api/client';
import { Button, ErrorNote } from '../../ui/components';

/** `cb session stop NAME`, after a confirmation in the page. */
export function StopControl({ name, disabled }: { name: string; disabled: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function stop(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await client.stopSession(name);
      setConfirming(false);
    } catch (err) {
      setError(`could not stop ${name}: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stop-control" data-testid="stop">
      {confirming ? (
        <div className="stop-confirm" role="group" aria-label="confirm stop">
          <span>Stop {name}? The agent exits and its tmux session ends.</span>
          <Button variant="danger" onClick={() => void stop()} disabled={busy} autoFocus>
            {busy ? 'Stopping…' : 'Yes, stop it'}
          </Button>
          <Button onClick={() => setConfirming(false)} disabled={busy}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button variant="danger" onClick={() => setConfirming(true)} disabled={disabled}>
          Stop session
        </Button>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
