import { useState } from 'react';
import type { Answer, Session } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { Button, ErrorNote } from '../../ui/components';

/** Shown while the session asks to run a tool: the question and Allow / Deny (`cb answer NAME yes|no`). */
export function PermissionPanel({ session, sessionRef }: { session: Session; sessionRef: string }) {
  const [busy, setBusy] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function answer(value: Answer): Promise<void> {
    setBusy(value);
    setError(null);
    try {
      await client.answer(sessionRef, value);
    } catch (err) {
      setError(`the answer did not go through: ${describeError(err)}`);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="permission" data-testid="permission" aria-labelledby="permission-title">
      <h2 id="permission-title">{session.name} asks for permission</h2>
      <p className="permission-question mono">{session.waitingFor ?? 'to run a tool (the agent did not say which)'}</p>
      <div className="permission-actions">
        <Button variant="primary" onClick={() => void answer('yes')} disabled={busy !== null}>
          {busy === 'yes' ? 'Allowing…' : 'Allow'}
        </Button>
        <Button variant="danger" onClick={() => void answer('no')} disabled={busy !== null}>
          {busy === 'no' ? 'Denying…' : 'Deny'}
        </Button>
      </div>
      <ErrorNote error={error} />
    </section>
  );
}
