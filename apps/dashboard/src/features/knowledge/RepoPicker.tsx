import type { KnowledgeRepo } from '@flotilla/protocol';

/** The indexed repositories to query, plus the one in the address when the server did not list it. */
export function RepoPicker({ repos, value, onChange }: { repos: KnowledgeRepo[]; value: string; onChange: (root: string) => void }) {
  const indexed = repos.filter((repo) => repo.indexed);
  const listed = indexed.some((repo) => repo.root === value);
  return (
    <label className="kn-repo">
      Repository
      <select value={value} onChange={(e) => onChange(e.target.value)} disabled={indexed.length === 0 && !value}>
        {indexed.length === 0 && !value ? <option value="">no indexed repository</option> : null}
        {!listed && value ? <option value={value}>{value}</option> : null}
        {indexed.map((repo) => (
          <option key={repo.root} value={repo.root} title={repo.root}>
            {repo.name} — {repo.root}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Known repositories without an index, each with the command that indexes it. */
export function Unindexed({ repos }: { repos: KnowledgeRepo[] }) {
  const missing = repos.filter((repo) => !repo.indexed);
  if (missing.length === 0) return null;
  return (
    <details className="kn-unindexed">
      <summary>
        {missing.length} known {missing.length === 1 ? 'repository has' : 'repositories have'} no index
      </summary>
      <ul>
        {missing.map((repo) => (
          <li key={repo.root}>
            <span className="kn-unindexed-name">{repo.name}</span> <code>{repo.fix ?? `codekb index ${repo.root}`}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}
