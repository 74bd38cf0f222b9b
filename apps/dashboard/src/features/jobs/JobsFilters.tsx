import { useEffect, useState } from 'react';
import { Button } from '../../ui/components';
import { DEFAULT_FILTERS, SORT_KEYS, STATUS_CHOICES, type JobFilters, type SortKey } from './job-list';

/** Text typed in the search box reaches the address after this pause. */
const TYPING_MS = 200;

const SORT_LABELS: Record<SortKey, string> = { created: 'created', updated: 'updated', status: 'status', duration: 'duration', cost: 'cost' };

export function JobsFilters({ filters, choices, onChange }: { filters: JobFilters; choices: { agents: string[]; hosts: string[]; tags: string[] }; onChange: (next: JobFilters) => void }) {
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(() => {
    if (q === filters.q) return undefined;
    const timer = setTimeout(() => onChange({ ...filters, q }), TYPING_MS);
    return () => clearTimeout(timer);
  }, [q, filters, onChange]);
  const status = filters.status.join(',');
  const statusChoices = STATUS_CHOICES.some((c) => c.value === status) ? STATUS_CHOICES : [...STATUS_CHOICES, { value: status, label: status }];
  const changed = JSON.stringify({ ...filters, sort: '', dir: '' }) !== JSON.stringify({ ...DEFAULT_FILTERS, sort: '', dir: '' });
  return (
    <form className="jl-filters" role="search" aria-label="filter jobs" onSubmit={(e) => e.preventDefault()}>
      <label className="jl-search">
        Search prompts
        <input type="search" value={q} placeholder="words in the prompt or id" onChange={(e) => setQ(e.target.value)} />
      </label>
      <label>
        Status
        <select value={status} onChange={(e) => onChange({ ...filters, status: e.target.value ? (e.target.value.split(',') as JobFilters['status']) : [] })}>
          {statusChoices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <Choice label="Agent" any="any agent" value={filters.agent} options={choices.agents} onChange={(agent) => onChange({ ...filters, agent })} />
      <Choice label="Host" any="any host" value={filters.host} options={choices.hosts} onChange={(host) => onChange({ ...filters, host })} />
      <Choice label="Tag" any="any tag" value={filters.tag} options={choices.tags} onChange={(tag) => onChange({ ...filters, tag })} />
      <label>
        Sort by
        <select value={`${filters.sort}:${filters.dir}`} onChange={(e) => {
          const [sort, dir] = e.target.value.split(':') as [SortKey, 'asc' | 'desc'];
          onChange({ ...filters, sort, dir });
        }}>
          {SORT_KEYS.flatMap((key) => [
            <option key={`${key}:desc`} value={`${key}:desc`}>{`${SORT_LABELS[key]} ↓`}</option>,
            <option key={`${key}:asc`} value={`${key}:asc`}>{`${SORT_LABELS[key]} ↑`}</option>,
          ])}
        </select>
      </label>
      {changed ? (
        <Button className="jl-clear" onClick={() => onChange({ ...DEFAULT_FILTERS, sort: filters.sort, dir: filters.dir })}>
          Clear filters
        </Button>
      ) : null}
    </form>
  );
}

function Choice({ label, any, value, options, onChange }: { label: string; any: string; value: string; options: string[]; onChange: (value: string) => void }) {
  const all = value && !options.includes(value) ? [...options, value] : options;
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{any}</option>
        {all.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}
