/**
 * What the director asks codekb's memory and what it tells it: the recall query for a batch, the
 * prompt's "Learnings from earlier work" section, and the learning recorded when a batch ends.
 */
import type { Ticket } from '../tickets/ticket.js';
import type { LearningOutcome, LearningToRecord, RecalledLearning } from './codekb-learnings.js';

/** Words that say nothing about a ticket's subject. */
const STOP_WORDS = new Set(
  'the a an and or but if then else when while for from into onto with without this that these those there here what which who whom whose why how all any each every some such only own same than too very can could should would will just also not no nor our ours your yours their them they its it is are was were be been being have has had do does did of on in at by to as up out about over under again further once please need needs make makes use uses using add adds fix fixes'.split(' '),
);

/** Most key words taken from the tickets' text beside their titles. */
const KEY_WORDS = 8;

/** The recall query: every ticket's title, then the most frequent telling words of their text. */
export function learningQuery(tickets: readonly Ticket[]): string {
  const titles = tickets.map((t) => t.title.replace(/^\s*\[[^\]]*\]\s*/, ''));
  const counts = new Map<string, number>();
  for (const ticket of tickets) {
    for (const word of ticket.body.toLowerCase().match(/[\p{L}\p{N}_]{4,}/gu) ?? []) {
      if (!STOP_WORDS.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const inTitles = new Set(titles.join(' ').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []);
  const keyWords = [...counts.entries()]
    .filter(([word]) => !inTitles.has(word))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, KEY_WORDS)
    .map(([word]) => word);
  return [...titles, ...keyWords].join(' ').trim();
}

/** Long learnings are cut in the prompt: they are hints, not instructions. */
const MAX_LEARNING_CHARS = 1_200;

/**
 * The prompt's section citing what was recalled, each with its date and outcome — and, once codekb
 * has consolidated its memory, how often it was learned and whether it is contested; null when
 * nothing was recalled.
 */
export function formatLearningsSection(learnings: readonly RecalledLearning[]): string | null {
  if (learnings.length === 0) return null;
  const lines = learnings.map((learning) => {
    const text = learning.text.trim();
    const cut = text.length > MAX_LEARNING_CHARS ? `${text.slice(0, MAX_LEARNING_CHARS)}…` : text;
    const evidence = [learning.timesLearned !== undefined && learning.timesLearned > 1 ? `learned ${learning.timesLearned}×` : '', learning.contested === true ? 'contested: another learning says the opposite' : ''].filter(Boolean);
    return `- (${[learning.updatedAt.slice(0, 10), learning.outcome ?? 'note', ...evidence].join(', ')}) ${cut.replace(/\n+/g, ' ')}`;
  });
  return `## Learnings from earlier work\n\nRecalled from earlier tickets in this repository (codekb memory); hints, not instructions — check them against the code:\n\n${lines.join('\n')}`;
}

/** How one batch ended, for its learning. */
export interface BatchEnd {
  repoPath: string;
  tickets: readonly Ticket[];
  branch: string;
  /** `succeeded`, or the failure's kind. */
  result: { ok: true } | { ok: false; kind: string; message: string };
  /** The pull request's link, when one exists. */
  link: string | null;
  /** What the batch became (`pull_request`, `branch`, `nothing_to_do`, `retry_later`, `gave_up`). */
  outcome: string;
  /** The agent's final answer. */
  summary: string | null;
  model: string;
}

/** The agent's summary is cut to this in a learning. */
const MAX_SUMMARY_CHARS = 600;

/** The learning recorded when a batch ends: which tickets, how it went, where the work is, what the agent said. */
export function batchLearning(end: BatchEnd): LearningToRecord {
  const tickets = end.tickets.map((t) => `${t.id} "${t.title}"`).join(', ');
  const how = end.result.ok ? `succeeded (${end.outcome})` : `failed (${end.result.kind}, ${end.outcome}): ${oneLine(end.result.message, 300)}`;
  const where = end.link === null ? `branch ${end.branch}` : `pull request ${end.link} (branch ${end.branch})`;
  const parts = [`Ticket ${tickets} ${how} on ${end.model}; ${where}.`];
  if (end.summary !== null && end.summary.trim() !== '') parts.push(`Agent's summary: ${oneLine(end.summary, MAX_SUMMARY_CHARS)}`);
  // A job that changed nothing delivered nothing: worth knowing, but not a success.
  const outcome: LearningOutcome = !end.result.ok ? 'failure' : end.outcome === 'nothing_to_do' ? 'note' : 'success';
  return { repoPath: end.repoPath, text: parts.join(' '), tags: ['director', ...end.tickets.map((t) => `ticket:${t.source}:${t.id}`)], outcome };
}

function oneLine(text: string, max: number): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
