/** The fleet at a glance: `/status` (hosts on a hub, running work, rate-limit pauses), `/board`, `/help`, `/start`. */
import { Composer, type Context } from 'grammy';
import type { Host, Task } from '@flotilla/protocol';
import { clip, code, escapeHtml } from '../format.js';
import { describeError } from '../errors.js';
import { replyHtml, replyLines, type FeatureDeps } from '../shared.js';

export const HELP_TEXT = [
  '<b>Flotilla from your phone</b>',
  '/run [@host] [#repo] [model:NAME] [worktree] PROMPT — start a job',
  '/jobs — running and recent jobs · /job ID — one job · /cancel ID',
  '/inbox — what needs you, unread results',
  '/sessions · /peek NAME · /send NAME TEXT',
  '/use NAME — plain text goes to that session (/use alone clears)',
  '/board — the task board · /status — hosts, running work, rate-limit pauses',
  'Reply to a notification to continue that job or talk to that session.',
].join('\n');

export function fleetComposer(deps: FeatureDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.command(['help', 'start'], (ctx) => replyHtml(ctx, deps, HELP_TEXT));
  composer.command('status', async (ctx) => replyLines(ctx, deps, await statusLines(deps)));
  composer.command('board', async (ctx) => {
    const tasks = await deps.access.board();
    if (tasks.length === 0) return replyHtml(ctx, deps, '📋 The board has no open tasks.');
    const lines = [`<b>Board</b> (${tasks.length} open)`, ...tasks.slice(0, 40).map(taskLine)];
    if (tasks.length > 40) lines.push(`… and ${tasks.length - 40} more`);
    await replyLines(ctx, deps, lines);
  });
  return composer;
}

/** Each part is asked for on its own: one that fails says so in its line instead of hiding the rest. */
async function statusLines(deps: FeatureDeps): Promise<string[]> {
  const [capabilities, active, pauses, hosts] = await Promise.allSettled([
    deps.client.capabilities(),
    deps.client.listJobs({ status: ['queued', 'starting', 'running', 'retry_wait'], limit: 500 }),
    deps.client.pauses(),
    deps.access.hosts(),
  ]);
  const lines: string[] = [];
  if (capabilities.status === 'fulfilled') lines.push(`<b>${capabilities.value.kind === 'hub' ? 'Hub' : 'Daemon'}</b> ${code(capabilities.value.host)} · v${escapeHtml(capabilities.value.version)}`);
  else lines.push(`⚠️ server: ${escapeHtml(describeError(capabilities.reason).message)}`);
  if (hosts.status === 'fulfilled' && hosts.value.length > 0) lines.push('', '<b>Hosts</b>', ...hosts.value.map(hostLine));
  else if (hosts.status === 'fulfilled' && deps.access.isHub) lines.push('no hosts yet (add one with <code>mesh hosts add NAME</code>)');
  else if (hosts.status === 'rejected') lines.push(`⚠️ hosts: ${escapeHtml(describeError(hosts.reason).message)}`);
  if (active.status === 'fulfilled') {
    const count = (status: string) => active.value.items.filter((job) => job.status === status).length;
    lines.push('', `▶️ running ${count('running') + count('starting')} · queued ${count('queued')} · waiting to retry ${count('retry_wait')}`);
  } else lines.push(`⚠️ jobs: ${escapeHtml(describeError(active.reason).message)}`);
  if (pauses.status === 'fulfilled') {
    const live = pauses.value.filter((pause) => pause.endedAt === null);
    lines.push(live.length === 0 ? '✅ no rate-limit pauses' : `⏸ <b>Rate-limit pauses</b> (${live.length})`);
    for (const pause of live) lines.push(`${escapeHtml(pause.agent)} on ${escapeHtml(pause.host)} until ${escapeHtml(pause.resetsAt)} — ${escapeHtml(clip(pause.message, 120))}`);
  } else lines.push(`⚠️ pauses: ${escapeHtml(describeError(pauses.reason).message)}`);
  return lines;
}

function hostLine(host: Host): string {
  const icon = host.state === 'up' ? '🟢' : host.state === 'connecting' ? '🟡' : '🔴';
  const load = `${host.running} running · ${host.freeSlots}/${host.slots} free${host.paused ? ' · paused' : ''}`;
  return `${icon} ${code(host.name)} ${escapeHtml(host.state)} · ${escapeHtml(load)}${host.error ? ` — ${escapeHtml(clip(host.error, 100))}` : ''}`;
}

function taskLine(task: Task): string {
  const holder = task.holder ? ` · ${escapeHtml(task.holder.who)}@${escapeHtml(task.holder.host)}` : '';
  return `${code(task.key)} ${escapeHtml(task.status)}${task.priority === 'high' ? ' ❗' : ''} · ${escapeHtml(clip(task.title, 80))}${holder}`;
}
