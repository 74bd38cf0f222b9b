import { useEffect, useState, type FormEvent } from 'react';
import type { KnowledgeRepo } from '@flotilla/protocol';
import { Button } from '../../ui/components';
import { KNOWLEDGE_MODES, LANGUAGES, MODE_LABELS, type KnowledgeMode, type KnowledgeView } from './knowledge-view';
import { RepoPicker } from './RepoPicker';

const PLACEHOLDERS: Record<KnowledgeMode, string> = {
  search: 'words, a symbol, or exact text',
  definition: 'a name, or Container.member',
  references: 'a name, or Container.member',
};

/**
 * The question: repository, kind of lookup, text and (for search) the filters. Submitting opens
 * the answer as a new address, so Back returns to the previous one.
 */
export function KnowledgeForm({ view, repos, onSubmit }: { view: KnowledgeView; repos: KnowledgeRepo[]; onSubmit: (next: KnowledgeView) => void }) {
  const [draft, setDraft] = useState(view);
  useEffect(() => setDraft(view), [view]);
  const set = (patch: Partial<KnowledgeView>) => setDraft((d) => ({ ...d, ...patch }));
  function submit(event: FormEvent): void {
    event.preventDefault();
    onSubmit({ ...draft, q: draft.q.trim(), glob: draft.glob.trim(), file: '', line: 0 });
  }
  const search = draft.mode === 'search';
  return (
    <form className="kn-form" role="search" aria-label="ask the code index" onSubmit={submit}>
      <RepoPicker repos={repos} value={draft.repo} onChange={(repo) => onSubmit({ ...draft, repo, file: '', line: 0 })} />
      <fieldset className="kn-modes">
        <legend>Look up</legend>
        {KNOWLEDGE_MODES.map((mode) => (
          <label key={mode} className={draft.mode === mode ? 'kn-mode checked' : 'kn-mode'}>
            <input type="radio" name="kn-mode" value={mode} checked={draft.mode === mode} onChange={() => (draft.q.trim() && draft.repo ? onSubmit({ ...draft, mode, q: draft.q.trim(), file: '', line: 0 }) : set({ mode }))} />
            {MODE_LABELS[mode]}
          </label>
        ))}
      </fieldset>
      <div className="kn-ask">
        <label className="kn-query">
          {search ? 'Search for' : 'Symbol'}
          <input type="search" value={draft.q} placeholder={PLACEHOLDERS[draft.mode]} onChange={(e) => set({ q: e.target.value })} autoComplete="off" spellCheck={false} />
        </label>
        <Button type="submit" variant="primary" disabled={!draft.repo || !draft.q.trim()}>
          {search ? 'Search' : 'Find'}
        </Button>
      </div>
      {search ? (
        <div className="kn-filters">
          <label className="kn-check">
            <input type="checkbox" checked={draft.literal} onChange={(e) => set({ literal: e.target.checked })} />
            Exact text (case-sensitive)
          </label>
          <label>
            Language
            <select value={draft.language} onChange={(e) => set({ language: e.target.value })}>
              <option value="">any language</option>
              {LANGUAGES.map((language) => (
                <option key={language} value={language}>
                  {language}
                </option>
              ))}
            </select>
          </label>
          <label className="kn-glob">
            Paths
            <input type="text" value={draft.glob} placeholder="glob, e.g. src/**/*.ts" onChange={(e) => set({ glob: e.target.value })} autoComplete="off" spellCheck={false} />
          </label>
        </div>
      ) : null}
    </form>
  );
}
