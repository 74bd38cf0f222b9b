import { useState, type FormEvent } from 'react';
import { AddHostRequestSchema } from '@flotilla/protocol';
import { describeError } from '../../api/client';
import { hubClient } from '../../api/hub-client';
import { useLiveStore } from '../../live/hooks';
import { Button } from '../../ui/components';

/** `mesh hosts add SPEC [--name NAME]`: an alias from ~/.ssh/config or `user@host[:port]`. */
export function AddHostForm() {
  const store = useLiveStore();
  const [spec, setSpec] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const request = AddHostRequestSchema.safeParse({ spec: spec.trim(), ...(name.trim() ? { name: name.trim() } : {}) });
    if (!request.success) return setOutcome({ ok: false, text: 'Give an SSH alias or user@host[:port].' });
    setBusy(true);
    setOutcome(null);
    try {
      const host = await hubClient.addHost(request.data);
      store.received({ host });
      setSpec('');
      setName('');
      setOutcome({ ok: true, text: `Added ${host.name}; the hub is connecting to it.` });
    } catch (e) {
      setOutcome({ ok: false, text: `Not added: ${describeError(e)} — on the hub’s machine, \`mesh hosts add ${request.data.spec}\` does the same.` });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="host-form" data-testid="add-host" onSubmit={(event) => void submit(event)}>
      <label>
        SSH alias or user@host[:port]
        <input value={spec} onChange={(event) => setSpec(event.target.value)} placeholder="dragon" maxLength={300} />
      </label>
      <label>
        Name in the fleet (optional)
        <input value={name} onChange={(event) => setName(event.target.value)} placeholder="the alias" />
      </label>
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add host'}
      </Button>
      <span className={`form-outcome ${outcome ? (outcome.ok ? 'ok' : 'failed') : ''}`} role="status">
        {outcome?.text ?? ''}
      </span>
    </form>
  );
}
