import type { KnowledgeDefinitionHit, KnowledgeReferenceHit, KnowledgeSearchHit } from '@flotilla/protocol';
import { client } from '../../api/client';
import { Link } from '../../app/router';
import { Empty, ErrorNote, Loading, Section } from '../../ui/components';
import { citationHref, viewHref, type KnowledgeView } from './knowledge-view';
import { useAnswer } from './use-answer';

/** Hits asked for at once: enough to scan, few enough to read. */
export const HIT_LIMIT = 50;

type Hit = KnowledgeSearchHit | KnowledgeDefinitionHit | KnowledgeReferenceHit;

async function ask(view: KnowledgeView): Promise<Hit[]> {
  const base = { repo: view.repo, limit: HIT_LIMIT };
  if (view.mode === 'definition') return (await client.knowledgeDefinition({ ...base, name: view.q })).hits;
  if (view.mode === 'references') return (await client.knowledgeReferences({ ...base, name: view.q })).hits;
  const filters = { literal: view.literal || undefined, language: view.language || undefined, path: view.glob || undefined };
  return (await client.knowledgeSearch({ ...base, query: view.q, ...filters })).hits;
}

/** The answer to the question in the address: cited hits, each opening its file at the line. */
export function Results({ view }: { view: KnowledgeView }) {
  const question = view.repo && view.q ? viewHref({ ...view, file: '', line: 0 }) : null;
  const answer = useAnswer(question, () => ask(view));
  const hits = answer.data;
  const title = hits && !answer.loading ? `${hits.length}${hits.length === HIT_LIMIT ? '+' : ''} ${hits.length === 1 ? 'hit' : 'hits'}` : 'Hits';
  return (
    <Section title={title} id="kn-hits">
      {question === null ? <Empty>{view.repo ? 'Ask something above: words, a symbol name, or exact text.' : 'Choose an indexed repository first.'}</Empty> : null}
      {answer.loading ? <Loading lines={6} /> : null}
      <ErrorNote error={answer.error} />
      {hits && !answer.loading && hits.length === 0 ? <Empty>Nothing found for “{view.q}”.</Empty> : null}
      {hits && !answer.loading && hits.length > 0 ? (
        <ol className="kn-hits" data-testid="knowledge-hits">
          {hits.map((hit, i) => (
            <li key={`${hit.citation}#${i}`}>
              <Link
                to={citationHref(view, hit)}
                className="kn-hit"
                data-citation={hit.citation}
                aria-current={view.file === hit.path && view.line === hit.line ? 'location' : undefined}
              >
                <HitBody hit={hit} />
              </Link>
            </li>
          ))}
        </ol>
      ) : null}
      {hits && hits.length === HIT_LIMIT && !answer.loading ? <p className="muted kn-more">Showing the first {HIT_LIMIT}; narrow the question to see others.</p> : null}
    </Section>
  );
}

function HitBody({ hit }: { hit: Hit }) {
  const cite = <span className="kn-cite">{hit.citation}</span>;
  if ('signature' in hit) {
    const name = hit.container ? `${hit.container}.${hit.name}` : hit.name;
    return (
      <>
        <span className="kn-hit-head">
          <span className="kn-kind">{hit.kind}</span> <strong>{name}</strong> {cite}
        </span>
        <code className="kn-code">{hit.signature}</code>
        {hit.doc ? <span className="kn-doc">{firstLine(hit.doc)}</span> : null}
      </>
    );
  }
  if ('enclosing' in hit) {
    return (
      <span className="kn-hit-head">
        {cite} <span className="muted">{hit.enclosing ? `in ${hit.enclosing}` : 'at top level'}</span>
      </span>
    );
  }
  return (
    <>
      <span className="kn-hit-head">
        {hit.source === 'symbol' ? <span className="kn-kind">{hit.kind ?? 'symbol'}</span> : <span className="kn-kind kn-text">text</span>} {cite}
      </span>
      <code className="kn-code">{hit.text.trim()}</code>
    </>
  );
}

function firstLine(doc: string): string {
  return doc.split('\n').map((line) => line.replace(/^\s*(\/\*\*?|\*\/|\*|\/\/\/?|#)\s?/, '').trim()).find(Boolean) ?? '';
}
