import { useCallback, useMemo } from 'react';
import { client } from '../api/client';
import { navigate, useLocation } from '../app/router';
import { ErrorNote, Loading } from '../ui/components';
import { FileView } from '../features/knowledge/FileView';
import { KnowledgeForm } from '../features/knowledge/KnowledgeForm';
import { parseView, viewHref, type KnowledgeView } from '../features/knowledge/knowledge-view';
import { Unindexed } from '../features/knowledge/RepoPicker';
import { Results } from '../features/knowledge/Results';
import { useAnswer } from '../features/knowledge/use-answer';
import '../features/knowledge/knowledge.css';

/**
 * `/knowledge`: codekb's index of a repository, asked from the page (search, definition,
 * references), with cited hits that open the file at the line. Everything asked is in the address
 * (`?repo=…&q=…&file=src/a.ts&line=12`). The nav shows it when the server has the knowledge add-on.
 */
export function KnowledgePage(_props: { params: Record<string, string> }) {
  const { query } = useLocation();
  const search = query.toString();
  const repos = useAnswer('repos', () => client.knowledgeRepos());
  const asked = useMemo(() => parseView(new URLSearchParams(search)), [search]);
  const firstIndexed = repos.data?.find((repo) => repo.indexed)?.root ?? '';
  const view = useMemo<KnowledgeView>(() => (asked.repo ? asked : { ...asked, repo: firstIndexed }), [asked, firstIndexed]);
  const ask = useCallback((next: KnowledgeView) => navigate(viewHref(next)), []);
  return (
    <div className="page kn" data-testid="knowledge">
      <h1>Knowledge</h1>
      {repos.data ? <KnowledgeForm view={view} repos={repos.data} onSubmit={ask} /> : <Loading lines={3} />}
      <ErrorNote error={repos.error} />
      {repos.data && !firstIndexed && !asked.repo ? (
        <p className="kn-none">
          No repository this server knows has a codekb index. Index one with <code>codekb index DIR</code>, then reload.
        </p>
      ) : null}
      {repos.data ? <Unindexed repos={repos.data} /> : null}
      <div className={view.file ? 'kn-body kn-with-file' : 'kn-body'}>
        <Results view={view} />
        {view.file && view.repo ? <FileView view={view} /> : null}
      </div>
    </div>
  );
}
