import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLive } from '../../live/hooks';
import { Button } from '../../ui/components';

/**
 * Asks for the daemon's full token before typing is allowed (on a hub, the hub's own token: the hub
 * then asks the session's host for input over its link). The token is handed to the caller and
 * kept only in memory (never stored, never put in the page's address).
 */
export function UnlockDialog({ open, onUnlock, onClose }: { open: boolean; onUnlock: (token: string) => void; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [token, setToken] = useState('');
  const onHub = useLive((s) => s.capabilities?.kind === 'hub');

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
    // A token typed and then cancelled is not kept either.
    if (!open) setToken('');
  }, [open]);

  function submit(event: FormEvent): void {
    event.preventDefault();
    const value = token.trim();
    if (!value) return;
    setToken('');
    onUnlock(value);
  }

  return (
    <dialog ref={dialog} className="unlock-dialog" aria-labelledby="unlock-title" onClose={onClose} data-testid="unlock-dialog">
      <form onSubmit={submit} className="unlock-form">
        <h2 id="unlock-title">Unlock typing</h2>
        <p className="muted">
          {onHub ? (
            <>
              Typing goes straight into the agent’s pane, through the hub. It needs the hub’s own token, not the page’s cookie: run{' '}
              <code>cat ~/.flotilla/hub-token</code> on the hub’s machine (its <code>FLOTILLA_HOME</code>) and paste it here. It is kept only in this page’s memory.
            </>
          ) : (
            <>
              Typing goes straight into the agent’s pane. It needs the daemon’s full token, not the page’s cookie: run <code>cat ~/.flotilla/token</code> on the
              daemon’s machine and paste it here. It is kept only in this page’s memory.
            </>
          )}
        </p>
        <label>
          {onHub ? 'Hub token' : 'Daemon token'}
          <input type="password" name="token" autoComplete="off" spellCheck={false} value={token} onChange={(event) => setToken(event.target.value)} autoFocus />
        </label>
        <div className="unlock-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!token.trim()}>
            Unlock
          </Button>
        </div>
      </form>
    </dialog>
  );
}
