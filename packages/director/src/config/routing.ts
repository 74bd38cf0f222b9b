import type { Ticket } from '../tickets/ticket.js';
import type { DirectorConfig, RepoConfig } from './config-schema.js';

/** How a ticket was routed, or why it was skipped. A skipped ticket is reported, never guessed. */
export type RouteDecision =
  | { routed: true; repo: RepoConfig; by: 'prefix' | 'label' | 'keyword'; reason: string }
  | { routed: false; reason: string };

/**
 * Routes a ticket to one repo: an explicit `[repo]` title prefix first, then labels, then keyword
 * rules. A prefix naming no configured repo, labels or keywords matching several repos, and tickets
 * matching nothing are all skipped with the reason — a wrong repo is worse than a missed ticket.
 *
 * @example
 * routeTicket({ ...ticket, title: '[api] rate limiter' }, config) // { routed: true, repo: api, by: 'prefix', … }
 */
export function routeTicket(ticket: Pick<Ticket, 'title' | 'body' | 'labels'>, config: Pick<DirectorConfig, 'repos' | 'routing'>): RouteDecision {
  const byName = new Map(config.repos.map((repo) => [repo.name.toLowerCase(), repo]));
  const prefix = /^\s*\[([^\]]+)\]/.exec(ticket.title)?.[1]?.trim();
  if (prefix !== undefined) {
    const repo = byName.get(prefix.toLowerCase());
    if (repo !== undefined) return { routed: true, repo, by: 'prefix', reason: `title prefix [${prefix}]` };
    return { routed: false, reason: `the title names [${prefix}], which is not a configured repo (${names(config.repos)})` };
  }
  const labelled = byLabel(ticket.labels, config.repos);
  if (labelled.length === 1) return { routed: true, repo: labelled[0]!.repo, by: 'label', reason: `label "${labelled[0]!.label}"` };
  if (labelled.length > 1) {
    return { routed: false, reason: `labels match several repos (${labelled.map((m) => `${m.label} → ${m.repo.name}`).join(', ')})` };
  }
  const matched = byKeyword(`${ticket.title}\n${ticket.body}`, config);
  if (matched.length === 1) return { routed: true, repo: matched[0]!.repo, by: 'keyword', reason: `keyword "${matched[0]!.word}"` };
  if (matched.length > 1) {
    return { routed: false, reason: `keywords match several repos (${matched.map((m) => `${m.word} → ${m.repo.name}`).join(', ')})` };
  }
  return { routed: false, reason: `no [repo] prefix, repo label or keyword matched; add one of ${names(config.repos)} as a [prefix] or label` };
}

interface Match {
  repo: RepoConfig;
  label?: string;
  word?: string;
}

/** Distinct repos whose name or labels appear among the ticket's labels (any case). */
function byLabel(labels: readonly string[], repos: readonly RepoConfig[]): Array<Match & { label: string }> {
  const wanted = new Set(labels.map((label) => label.toLowerCase()));
  const found: Array<Match & { label: string }> = [];
  for (const repo of repos) {
    const label = [repo.name, ...repo.labels].find((candidate) => wanted.has(candidate.toLowerCase()));
    if (label !== undefined) found.push({ repo, label });
  }
  return found;
}

/** Distinct repos with a keyword (the repo's own or a routing rule's) in the text as a whole word. */
function byKeyword(text: string, config: Pick<DirectorConfig, 'repos' | 'routing'>): Array<Match & { word: string }> {
  const lower = text.toLowerCase();
  const found = new Map<string, Match & { word: string }>();
  const rules = [
    ...config.repos.map((repo) => ({ repo: repo.name, words: repo.keywords })),
    ...config.routing.keywords,
  ];
  for (const rule of rules) {
    const repo = config.repos.find((candidate) => candidate.name === rule.repo);
    if (repo === undefined || found.has(repo.name)) continue;
    const word = rule.words.find((candidate) => containsWord(lower, candidate.toLowerCase()));
    if (word !== undefined) found.set(repo.name, { repo, word });
  }
  return [...found.values()];
}

function containsWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`).test(text);
}

function names(repos: readonly RepoConfig[]): string {
  return repos.map((repo) => repo.name).join(', ');
}
