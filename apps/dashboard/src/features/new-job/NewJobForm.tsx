import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Capabilities, Repo } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { clientFor } from '../../api/placed-client';
import { navigate } from '../../app/router';
import { Button, ErrorNote } from '../../ui/components';
import { HostSelect, useHostChoices } from './HostChoice';
import { Placement } from './Placement';
import { buildRequest, defaultAgent, defaultRepo, EMPTY_FORM, modelSuggestions, OTHER, type NewJobForm as Form } from './new-job-form';


function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** The repositories the daemon knows, for the directory choice; a failure leaves free text only. */
function useRepos(): { repos: Repo[]; error: string | null } {
  const [state, setState] = useState<{ repos: Repo[]; error: string | null }>({ repos: [], error: null });
  useEffect(() => {
    let alive = true;
    client.repos().then(
      (repos) => alive && setState({ repos, error: null }),
      (error: unknown) => alive && setState({ repos: [], error: `Repositories could not be listed: ${describeError(error)}` }),
    );
    return () => {
      alive = false;
    };
  }, []);
  return state;
}

/** The prompt box and its choices: the same request as `cb "…"`. */
export function NewJobForm({ capabilities }: { capabilities: Capabilities }) {
  const { repos: allRepos, error: reposError } = useRepos();
  const { onHub, preferred } = useHostChoices();
  const [chosenHost, setChosenHost] = useState<string | null>(null);
  // On a hub the job goes to the chosen host (until then the freest reachable one), and only that host's repositories are offered.
  const host = onHub ? (chosenHost ?? preferred) : null;
  const repos = host === null ? allRepos : allRepos.filter((repo) => repo.host === host);
  const [form, setForm] = useState<Form>(() => ({ ...EMPTY_FORM, agent: defaultAgent(capabilities.agents) }));
  const [where, setWhere] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const key = useRef<string | null>(null);
  // Until the person picks a directory, the busiest repository is proposed.
  const choice = where ?? defaultRepo(repos);
  const cwd = choice === OTHER ? form.cwd : choice;
  const update = (patch: Partial<Form>) => {
    key.current = null;
    setError(null);
    setForm((f) => ({ ...f, ...patch }));
  };

  async function submit(event?: FormEvent): Promise<void> {
    event?.preventDefault();
    if (sending) return;
    key.current ??= newKey();
    const built = buildRequest({ ...form, cwd }, key.current);
    if (!built.ok) {
      setError(built.error);
      return;
    }
    setSending(true);
    setError(null);
    try {
      const job = await clientFor(host).createJob(built.request);
      navigate(`/jobs/${job.id}`);
    } catch (e) {
      setError(describeError(e));
      setSending(false);
    }
  }

  const suggestions = modelSuggestions(form.agent);
  return (
    <form className="nj-form section" onSubmit={(e) => void submit(e)} data-testid="new-job">
      <label className="nj-prompt">
        Prompt
        <textarea
          rows={7}
          value={form.prompt}
          autoFocus
          placeholder="What should the agent do?"
          onChange={(e) => update({ prompt: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void submit();
            }
          }}
        />
      </label>
      <div className="nj-grid">
        <label>
          Agent
          <select value={form.agent} onChange={(e) => update({ agent: e.target.value, model: '' })}>
            {capabilities.agents.map((agent) => (
              <option key={agent} value={agent}>
                {agent}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <input list="nj-models" value={form.model} placeholder="the agent’s default" onChange={(e) => update({ model: e.target.value })} />
          <datalist id="nj-models">
            {suggestions.map((model) => (
              <option key={model} value={model} />
            ))}
          </datalist>
        </label>
        <label>
          Host
          <HostSelect
            value={host}
            fallback={capabilities.host}
            onChange={(value) => {
              setChosenHost(value);
              setWhere(null);
              key.current = null;
            }}
          />
        </label>
        <label>
          Permissions
          <select value={form.permissions} onChange={(e) => update({ permissions: e.target.value as Form['permissions'] })}>
            <option value="accept-edits">accept edits (default)</option>
            <option value="allowlist">allowlist only</option>
            <option value="bypass">bypass (worktree only)</option>
          </select>
        </label>
        <label>
          Tags
          <input value={form.tags} placeholder="comma, separated" onChange={(e) => update({ tags: e.target.value })} />
        </label>
      </div>
      <Placement form={form} update={update} repos={repos} choice={choice} onChoice={(value) => {
        setWhere(value);
        key.current = null;
      }} />
      {reposError ? <p className="muted">{reposError}</p> : null}
      <ErrorNote error={error} />
      <div className="nj-actions">
        <Button type="submit" variant="primary" disabled={sending} aria-busy={sending}>
          Start job
        </Button>
        <span className="muted">{sending ? 'Starting…' : 'Ctrl+Enter (⌘+Enter) starts it too'}</span>
      </div>
    </form>
  );
}
