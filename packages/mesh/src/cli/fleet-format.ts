/** How fleet jobs and sessions read in a terminal. */
import type { Job, Session } from '@flotilla/protocol';

export function formatAge(fromIso: string, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

export function formatJobLine(job: Job, nowMs: number): string {
  return [job.id.slice(-8), job.host.padEnd(12), job.status.padEnd(10), job.agent.padEnd(8), formatAge(job.createdAt, nowMs).padStart(4), oneLine(job.prompt, 60)].join('  ');
}

export function formatJobDetail(job: Job): string {
  const lines = [`${job.id}  ${job.status}  on ${job.host}  (${job.agent}${job.model ? `, ${job.model}` : ''})`, `prompt: ${oneLine(job.prompt, 200)}`];
  if (job.worktree) lines.push(`branch: ${job.worktree.branch}`);
  if (job.durationMs !== null) lines.push(`took: ${Math.round(job.durationMs / 1000)}s, cost $${job.cost.usd.toFixed(4)}`);
  if (job.failure) lines.push(`failure: ${job.failure.kind} — ${job.failure.message}`);
  if (job.result) lines.push('', job.result.trimEnd());
  return lines.join('\n');
}

export function formatSessionLine(session: Session, nowMs: number): string {
  const waiting = session.waitingFor ? `  (${oneLine(session.waitingFor, 50)})` : '';
  return [session.name.padEnd(20), session.host.padEnd(12), session.state.padEnd(18), session.agent.padEnd(8), formatAge(session.since, nowMs).padStart(4)].join('  ') + waiting;
}
