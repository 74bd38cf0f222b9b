import { useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { Message } from '@flotilla/protocol';
import { describeError } from '../../api/client';
import { useLiveStore } from '../../live/hooks';
import { Button } from '../../ui/components';

/**
 * A text box that sends with a button or Ctrl+Enter, and shows the answer or the error: the post
 * box of the channel and the direct-message form share it.
 */
export function MessageBox({ label, send, disabled, children }: { label: string; send: (text: string) => Promise<Message>; disabled?: boolean; children?: ReactNode }) {
  const store = useLiveStore();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event?: FormEvent): Promise<void> {
    event?.preventDefault();
    if (!text.trim() || busy || disabled) return;
    setBusy(true);
    setError(null);
    try {
      store.received({ message: await send(text) });
      setText('');
    } catch (e) {
      setError(`Not sent: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  }
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
  }
  return (
    <form className="message-box" onSubmit={(event) => void submit(event)}>
      {children}
      <label className="message-text">
        {label} (Ctrl+Enter sends)
        <textarea rows={2} value={text} onChange={(event) => setText(event.target.value)} onKeyDown={onKeyDown} maxLength={100_000} />
      </label>
      <div className="message-actions">
        <Button type="submit" variant="primary" disabled={busy || disabled || !text.trim()}>
          {busy ? 'Sending…' : 'Send'}
        </Button>
        <span className="form-outcome failed" role="status">
          {error ?? ''}
        </span>
      </div>
    </form>
  );
}
