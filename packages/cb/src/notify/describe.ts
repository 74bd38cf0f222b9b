import { FAILURE_DESCRIPTIONS, type Job } from '@flotilla/protocol';

/** Desktop notifications truncate long titles; this keeps the words that say which job it was. */
const TITLE_PROMPT_CHARS = 48;
const BODY_LINE_CHARS = 120;

export interface JobEndText {
  title: string;
  body: string;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function firstWords(prompt: string): string {
  const words = prompt.trim().split(/\s+/).filter(Boolean);
  let out = '';
  for (const word of words) {
    const next = out ? `${out} ${word}` : word;
    if (next.length > TITLE_PROMPT_CHARS) return out ? `${out}…` : clip(word, TITLE_PROMPT_CHARS);
    out = next;
  }
  return out;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

function outcomeLine(job: Job): string {
  switch (job.status) {
    case 'succeeded': {
      const line = (job.result ?? '').split('\n').find((l) => l.trim().length > 0);
      return line ? clip(line.trim(), BODY_LINE_CHARS) : 'done';
    }
    case 'failed':
    case 'dead': {
      const what = job.failure ? FAILURE_DESCRIPTIONS[job.failure.kind] : 'the job failed';
      return job.status === 'dead' ? `gave up: ${what}` : what;
    }
    case 'cancelled':
      return 'cancelled';
    default:
      return job.status.replace('_', ' ');
  }
}

/**
 * The title and body announcing a finished job, shared by desktop notifications, the terminal bell and the inbox.
 *
 * @example
 *   describeJobEnd(job);
 *   // { title: 'cb ✔ Fix the flaky login test', body: 'Fixed the race in login.spec.ts · $0.42 · 3m 05s' }
 *   // { title: 'cb ✘ Fix the flaky login test', body: 'the model provider rate-limited this credential · 12s' }
 */
export function describeJobEnd(job: Job): JobEndText {
  const icon = job.status === 'succeeded' ? '✔' : '✘';
  const parts = [outcomeLine(job)];
  if (job.cost.source !== 'unknown' || job.cost.usd > 0) parts.push(usd(job.cost.usd));
  if (job.durationMs !== null) parts.push(formatDuration(job.durationMs));
  return { title: `cb ${icon} ${firstWords(job.prompt) || job.id}`, body: parts.join(' · ') };
}

/** Cents for most jobs; a tiny one keeps its first digit ($0.0006, not $0.00). */
function usd(value: number): string {
  return `$${value >= 0.01 || value === 0 ? value.toFixed(2) : value.toPrecision(1)}`;
}
