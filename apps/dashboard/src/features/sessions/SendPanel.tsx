import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { SendRequest } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { Button, Section } from '../../ui/components';
import { receiptWords, sendFailureWords } from './receipt';

/** The few keys the page offers besides text (`cb send NAME --key …`). */
const KEYS = [
  { key: 'Escape', label: 'Esc', hint: 'interrupt the agent' },
  { key: 'Enter', label: 'Enter', hint: 'press Enter' },
  { key: 'C-c', label: 'Ctrl-C', hint: 'press Ctrl-C' },
] as const;

type Outcome = { ok: boolean; text: string } | null;

/** `cb send NAME "text"` with its receipt, and the Escape / Enter / Ctrl-C keys. */
export function SendPanel({ name, disabled }: { name: string; disabled: boolean }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function deliver(request: SendRequest): Promise<boolean> {
    setBusy(true);
    setOutcome(null);
    try {
      const receipt = await client.send(name, request);
      setOutcome({ ok: receipt.delivered, text: 'key' in request ? `pressed ${request.key}` : receiptWords(receipt) });
      return receipt.delivered;
    } catch (error) {
      setOutcome({ ok: false, text: sendFailureWords(error, describeError) });
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function submit(event?: FormEvent): Promise<void> {
    event?.preventDefault();
    if (!text.trim() || busy) return;
    if (await deliver({ text })) setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
  }

  return (
    <Section title="Send a message" id="send-title">
      <form className="send-form" data-testid="send" onSubmit={(event) => void submit(event)}>
        <label>
          Message (one turn; Ctrl+Enter sends)
          <textarea rows={3} value={text} onChange={(event) => setText(event.target.value)} onKeyDown={onKeyDown} disabled={disabled} />
        </label>
        <div className="send-actions">
          <Button type="submit" variant="primary" disabled={disabled || busy || !text.trim()}>
            {busy ? 'Sending…' : 'Send'}
          </Button>
          <span className="send-keys" role="group" aria-label="keys">
            {KEYS.map(({ key, label, hint }) => (
              <Button key={key} onClick={() => void deliver({ key })} disabled={disabled || busy} title={hint} data-key={key}>
                {label}
              </Button>
            ))}
          </span>
        </div>
        <p className={`send-receipt ${outcome ? (outcome.ok ? 'ok' : 'failed') : ''}`} role="status" data-testid="send-receipt" data-ok={outcome?.ok}>
          {outcome?.text ?? ''}
        </p>
      </form>
    </Section>
  );
}
