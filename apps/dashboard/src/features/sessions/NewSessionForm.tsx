import { useState, type FormEvent } from 'react';
import { SessionNameSchema, type CreateSessionRequest } from '@flotilla/protocol';
import { describeError } from '../../api/client';
import { clientFor } from '../../api/placed-client';
import { navigate } from '../../app/router';
import { useLive } from '../../live/hooks';
import { HostSelect, useHostChoices } from '../new-job/HostChoice';
import { sessionPath, sessionRef } from './session-ref';
import { Button, ErrorNote } from '../../ui/components';

interface Draft {
  name: string;
  agent: string;
  model: string;
  cwd: string;
  worktree: boolean;
}

const EMPTY: Draft = { name: '', agent: 'claude', model: '', cwd: '', worktree: false };

/** The request for a draft, or what is wrong with it in words. */
export function requestOf(draft: Draft): { request: CreateSessionRequest } | { problem: string } {
  const name = SessionNameSchema.safeParse(draft.name.trim());
  if (!name.success) return { problem: name.error.issues[0]?.message ?? 'invalid name' };
  if (!draft.cwd.trim()) return { problem: 'say which directory the agent works in' };
  const request: CreateSessionRequest = { name: name.data, agent: draft.agent, cwd: draft.cwd.trim(), worktree: draft.worktree };
  if (draft.model.trim()) request.model = draft.model.trim();
  return { request };
}

/** `cb session new NAME --agent … --model … --cwd … [--worktree]` from the page. */
export function NewSessionForm({ onDone }: { onDone: () => void }) {
  const agents = useLive((s) => s.capabilities?.agents);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { onHub, preferred } = useHostChoices();
  const [chosenHost, setChosenHost] = useState<string | null>(null);
  const host = onHub ? (chosenHost ?? preferred) : null;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const checked = requestOf(draft);
    if ('problem' in checked) return setError(checked.problem);
    setBusy(true);
    setError(null);
    try {
      const session = await clientFor(host).createSession(checked.request);
      setDraft(EMPTY);
      onDone();
      navigate(sessionPath(sessionRef(session, onHub)));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  const choices = agents && agents.length > 0 ? agents : ['claude', 'codex'];
  return (
    <form className="new-session" onSubmit={(event) => void submit(event)} data-testid="new-session" aria-label="new session">
      <label>
        Name
        <input required value={draft.name} onChange={(e) => set('name', e.target.value)} placeholder="reviewer" autoComplete="off" spellCheck={false} />
      </label>
      <label>
        Agent
        <select value={draft.agent} onChange={(e) => set('agent', e.target.value)}>
          {choices.map((agent) => (
            <option key={agent} value={agent}>
              {agent}
            </option>
          ))}
        </select>
      </label>
      {onHub ? (
        <label>
          Host
          <HostSelect value={host} fallback="" onChange={setChosenHost} />
        </label>
      ) : null}
      <label>
        Model
        <input value={draft.model} onChange={(e) => set('model', e.target.value)} placeholder="default (sonnet for Claude)" autoComplete="off" spellCheck={false} />
      </label>
      <label className="new-session-cwd">
        Directory (repository or working directory)
        <input required value={draft.cwd} onChange={(e) => set('cwd', e.target.value)} placeholder="/home/you/src/project" autoComplete="off" spellCheck={false} />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={draft.worktree} onChange={(e) => set('worktree', e.target.checked)} />
        In its own git worktree
      </label>
      <div className="new-session-actions">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Start session'}
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}
