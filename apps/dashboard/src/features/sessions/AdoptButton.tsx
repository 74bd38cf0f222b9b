import { useState } from 'react';
import { client, describeError } from '../../api/client';
import { Button } from '../../ui/components';

/** Makes a discovered session (started outside Flotilla) a managed one; the live list updates from its event. */
export function AdoptButton({ name }: { name: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function adopt(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await client.adoptSession(name);
    } catch (err) {
      setError(`could not adopt ${name}: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button onClick={() => void adopt()} disabled={busy} title={`Manage ${name} with Flotilla: state, send, watchdog and the live terminal`}>
        {busy ? 'Adopting…' : 'Adopt'}
      </Button>
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
