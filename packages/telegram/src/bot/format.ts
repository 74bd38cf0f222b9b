/**
 * Safe Telegram output: HTML parse mode with every piece of outside text escaped, messages split
 * under Telegram's 4096-character limit, and the words for jobs, sessions and failures.
 */
import { FAILURE_DESCRIPTIONS, type Job, type Session } from '@flotilla/protocol';

/** Telegram refuses a message longer than 4096 characters (after entity parsing). */
export const MESSAGE_LIMIT = 4096;
/** Room left under the limit for a header line and the tags around a chunk. */
export const CHUNK_CHARS = 3800;
/** Results longer than this go as a file instead of a run of messages nobody scrolls through. */
export const DOCUMENT_THRESHOLD_CHARS = 3 * CHUNK_CHARS;
/** How much of a result a finish notification quotes; "Show more" gives the rest. */
export const SUMMARY_CHARS = 700;

/** Escapes text for HTML parse mode: `&`, `<`, `>` and `"` (for attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : '&quot;'));
}

/** `<code>` around escaped text. */
export function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

/** `<b>` around escaped text. */
export function bold(text: string): string {
  return `<b>${escapeHtml(text)}</b>`;
}

/**
 * Splits plain text into chunks of at most `limit` UTF-16 units (Telegram's own count), at a line
 * break when there is one in the second half of the chunk, else at a space, else anywhere — but
 * never inside a surrogate pair.
 */
export function splitText(text: string, limit = CHUNK_CHARS): string[] {
  if (limit < 2) throw new RangeError('limit must be at least 2');
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = rest.lastIndexOf('\n', limit);
    if (cut < limit / 2) cut = rest.lastIndexOf(' ', limit);
    if (cut < limit / 2) cut = limit;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/** At most `max` characters, with `…` when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** The first words of a prompt, for a title. */
export function firstWords(prompt: string, max = 60): string {
  return clip(prompt.trim().replace(/\s+/g, ' '), max);
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Cents for most jobs; a tiny one keeps its first digit ($0.0006, not $0.00). */
export function formatUsd(value: number): string {
  return `$${value >= 0.01 || value === 0 ? value.toFixed(2) : value.toPrecision(1)}`;
}

/** What went wrong, in words: the kind's sentence, then the agent's own message. */
export function failureWords(job: Pick<Job, 'status' | 'failure'>): string {
  if (!job.failure) return job.status === 'cancelled' ? 'cancelled' : 'the job failed';
  const what = FAILURE_DESCRIPTIONS[job.failure.kind];
  const reset = job.failure.resetsAt ? ` (resets ${job.failure.resetsAt})` : '';
  return `${job.status === 'dead' ? 'gave up: ' : ''}${what}${reset}`;
}

/** Cost · duration · branch · host, as far as known. */
export function jobFacts(job: Job): string {
  const parts: string[] = [];
  if (job.cost.source !== 'unknown' || job.cost.usd > 0) parts.push(formatUsd(job.cost.usd));
  if (job.durationMs !== null) parts.push(formatDuration(job.durationMs));
  if (job.worktree) parts.push(`branch ${job.worktree.branch}`);
  if (job.attempts.length > 1) parts.push(`attempt ${job.attempts.length}`);
  parts.push(job.host);
  return parts.join(' · ');
}

const STATUS_ICONS: Readonly<Record<Job['status'], string>> = {
  queued: '⏳',
  starting: '⏳',
  running: '▶️',
  retry_wait: '🔁',
  succeeded: '✅',
  failed: '❌',
  cancelled: '⏹',
  dead: '💀',
};

/** One line of `/jobs`: icon, id, status, first words. */
export function jobLine(job: Job): string {
  return `${STATUS_ICONS[job.status]} ${code(job.id)} ${escapeHtml(job.status.replace('_', ' '))} · ${escapeHtml(firstWords(job.prompt, 50))}`;
}

/** A finished job's notification (HTML): outcome, prompt, the start of the result or the failure, facts. */
export function jobEndMessage(job: Job): string {
  const head = `${STATUS_ICONS[job.status]} ${bold(job.status === 'succeeded' ? 'Job finished' : job.status === 'cancelled' ? 'Job cancelled' : 'Job failed')} ${code(job.id)}`;
  const lines = [head, `<i>${escapeHtml(firstWords(job.prompt, 120))}</i>`, ''];
  if (job.status === 'succeeded') lines.push(escapeHtml(clip((job.result ?? '').trim() || '(no result text)', SUMMARY_CHARS)));
  else if (job.status !== 'cancelled') {
    lines.push(escapeHtml(failureWords(job)));
    if (job.failure?.message) lines.push(`<pre>${escapeHtml(clip(job.failure.message, 500))}</pre>`);
  }
  lines.push('', escapeHtml(jobFacts(job)));
  return lines.join('\n');
}

/** `/job ID`: everything a person checks on a phone. */
export function jobDetail(job: Job): string {
  const lines = [jobLine(job), `agent ${escapeHtml(job.agent)}${job.model ? ` · model ${escapeHtml(job.model)}` : ''} · ${escapeHtml(job.cwd)}`, escapeHtml(jobFacts(job))];
  if (job.failure) lines.push(`${bold('failure')}: ${escapeHtml(failureWords(job))}`);
  if (job.worktree && job.worktree.changedFiles.length > 0) lines.push(`changed: ${escapeHtml(clip(job.worktree.changedFiles.join(', '), 400))}`);
  lines.push('', bold('prompt'), escapeHtml(clip(job.prompt, 800)));
  if (job.result) lines.push('', bold('result'), escapeHtml(clip(job.result.trim(), SUMMARY_CHARS)));
  return lines.join('\n');
}

const SESSION_ICONS: Partial<Record<Session['state'], string>> = {
  working: '▶️',
  waiting_input: '💬',
  waiting_permission: '✋',
  idle: '💤',
  rate_limited: '⏸',
  exited: '⏹',
};

/** One line of `/sessions`. */
export function sessionLine(session: Session): string {
  const icon = SESSION_ICONS[session.state] ?? '•';
  const asks = session.state === 'waiting_permission' && session.waitingFor ? ` — asks: ${escapeHtml(clip(session.waitingFor, 120))}` : '';
  return `${icon} ${code(session.name)} ${escapeHtml(session.state.replace('_', ' '))} · ${escapeHtml(session.agent)} · ${escapeHtml(session.host)}${asks}`;
}
