import '@xterm/xterm/css/xterm.css';
import './terminal.css';
import { useEffect, useRef, useState } from 'react';
import { Button, ErrorNote } from '../../ui/components';
import { formatDuration } from '../../ui/format';
import type { TerminalStatus } from './terminal-connection';
import { UnlockDialog } from './UnlockDialog';
import { useTerminal, type FitMode } from './use-terminal';

/** The session's live terminal: read-only until unlocked, reconnecting by itself, sized by the pane. */
export function TerminalView({ name, ended }: { name: string; ended: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [mode, setMode] = useState<FitMode>('fit');
  const [asking, setAsking] = useState(false);
  const terminal = useTerminal({ name, host, frame, mode, ended });
  const { status } = terminal;
  const connected = status.kind === 'live';
  const over = status.kind === 'ended' || status.kind === 'unavailable';
  // Once typing is unlocked the keys go to the pane: focus it (closing the dialog gave focus back to its opener).
  useEffect(() => {
    if (terminal.unlocked) host.current?.querySelector<HTMLTextAreaElement>('textarea')?.focus({ preventScroll: true });
  }, [terminal.unlocked]);

  return (
    <div className="terminal-panel">
      <div className="terminal-bar">
        <StatusLine status={status} unlocked={terminal.unlocked} />
        <div className="terminal-actions">
          <Button onClick={() => setMode(mode === 'fit' ? 'actual' : 'fit')} title="Fit the terminal to the width, or show it at full size and scroll sideways">
            {mode === 'fit' ? 'Full size' : 'Fit width'}
          </Button>
          {terminal.unlocked ? (
            <Button onClick={terminal.lock}>Lock</Button>
          ) : (
            <Button onClick={() => setAsking(true)} disabled={over || !connected}>
              Unlock typing
            </Button>
          )}
        </div>
      </div>
      <ErrorNote error={terminal.notice} />
      <div ref={frame} className={`terminal-frame${terminal.scrolls ? ' scrolls' : ''}${over ? ' over' : ''}`} tabIndex={terminal.scrolls ? 0 : undefined} role="region" aria-label={`terminal of ${name}${terminal.scrolls ? ', scrolls sideways' : ''}`}>
        <div ref={host} className="terminal-host" data-testid="terminal" data-status={status.kind} data-unlocked={terminal.unlocked} />
      </div>
      <UnlockDialog
        open={asking}
        onClose={() => setAsking(false)}
        onUnlock={(token) => {
          setAsking(false);
          terminal.unlock(token);
        }}
      />
    </div>
  );
}

function StatusLine({ status, unlocked }: { status: TerminalStatus; unlocked: boolean }) {
  return (
    <p className="terminal-status" role="status" data-testid="terminal-status" data-status={status.kind}>
      {statusWords(status, unlocked)}
    </p>
  );
}

export function statusWords(status: TerminalStatus, unlocked: boolean): string {
  switch (status.kind) {
    case 'connecting':
      return 'connecting…';
    case 'live':
      return `live · ${unlocked ? 'typing unlocked: keys go to the agent' : 'read-only'} · ${status.cols}×${status.rows}`;
    case 'reconnecting':
      return `reconnecting… (${status.reason}; next try in ${formatDuration(status.inMs < 1000 ? 1000 : status.inMs)}, attempt ${status.attempt})`;
    case 'ended':
      return status.reason;
    case 'unavailable':
      return `no live terminal: ${status.reason}`;
  }
}
