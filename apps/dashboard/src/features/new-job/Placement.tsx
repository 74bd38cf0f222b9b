import type { Repo } from '@flotilla/protocol';
import { HOME, OTHER, type NewJobForm as Form } from './new-job-form';

/** Where the job runs: a known repository, the home directory or another one; and whether in its own worktree. */
export function Placement({ form, update, repos, choice, onChoice }: { form: Form; update: (patch: Partial<Form>) => void; repos: readonly Repo[]; choice: string; onChoice: (value: string) => void }) {
  return (
    <>
      <div className="nj-grid">
        <label className="nj-wide">
          Directory
          <select value={choice} onChange={(e) => onChoice(e.target.value)}>
            {repos.map((repo) => (
              <option key={repo.root} value={repo.root}>
                {repo.root}
              </option>
            ))}
            <option value={HOME}>home directory (the daemon’s default)</option>
            <option value={OTHER}>other directory…</option>
          </select>
        </label>
        {choice === OTHER ? (
          <label className="nj-wide">
            Other directory
            <input value={form.cwd} placeholder="/path/to/repo" onChange={(e) => update({ cwd: e.target.value })} />
          </label>
        ) : null}
      </div>
      <label className="nj-check">
        <input type="checkbox" checked={form.worktree} onChange={(e) => update({ worktree: e.target.checked })} />
        Own worktree: a new branch in its own checkout of the repository
      </label>
      {form.worktree ? (
        <div className="nj-grid">
          <label>
            Base
            <input value={form.base} placeholder="the current branch" onChange={(e) => update({ base: e.target.value })} />
          </label>
          <label>
            Branch
            <input value={form.branch} placeholder="named after the job" onChange={(e) => update({ branch: e.target.value })} />
          </label>
        </div>
      ) : null}
    </>
  );
}
