/** Jobs from the phone: `/run`, `/jobs`, `/job ID`, `/cancel ID`, and starting a job from confirmed plain text. */
import { basename } from 'node:path';
import { Composer, InlineKeyboard, type Context } from 'grammy';
import { ProtocolError, type CreateJobRequest, type FlotillaClient, type Job } from '@flotilla/protocol';
import { encodeCallback } from '../callback-data.js';
import { code, escapeHtml, firstWords, jobDetail, jobLine } from '../format.js';
import { parseRunArgs, type RunArgs } from '../run-args.js';
import { commandText, replyHtml, replyLines, type FeatureDeps } from '../shared.js';

const ACTIVE = ['queued', 'starting', 'running', 'retry_wait'] as const;
const RECENT_JOBS = 10;

export function jobsComposer(deps: FeatureDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.command('run', async (ctx) => {
    const text = commandText(ctx);
    if (!text) return replyHtml(ctx, deps, 'Usage: <code>/run [@host] [#repo] [model:NAME] [worktree] PROMPT</code>');
    await startJob(ctx, deps, text);
  });
  composer.command('jobs', async (ctx) => {
    const [active, recent] = await Promise.all([deps.client.listJobs({ status: [...ACTIVE], limit: 20 }), deps.client.listJobs({ limit: RECENT_JOBS + 20 })]);
    const activeIds = new Set(active.items.map((job) => job.id));
    const done = recent.items.filter((job) => !activeIds.has(job.id)).slice(0, RECENT_JOBS);
    const lines = [`<b>Running and waiting</b> (${active.items.length})`, ...active.items.map(jobLine)];
    if (active.items.length === 0) lines.push('none');
    lines.push('', '<b>Recent</b>', ...(done.length > 0 ? done.map(jobLine) : ['none']));
    await replyLines(ctx, deps, lines);
  });
  composer.command('job', async (ctx) => {
    const ref = commandText(ctx);
    if (!ref) return replyHtml(ctx, deps, 'Usage: <code>/job ID</code> (the start of the id is enough)');
    const job = await deps.client.getJob(await resolveJobId(deps.client, ref));
    await replyHtml(ctx, deps, jobDetail(job), { keyboard: jobKeyboard(job), route: { kind: 'job', jobId: job.id } });
  });
  composer.command('cancel', async (ctx) => {
    const ref = commandText(ctx);
    if (!ref) return replyHtml(ctx, deps, 'Usage: <code>/cancel ID</code>');
    const job = await deps.client.cancelJob(await resolveJobId(deps.client, ref));
    await replyHtml(ctx, deps, `⏹ ${code(job.id)} is ${escapeHtml(job.status)}`);
  });
  return composer;
}

/** Buttons under a job: Retry and Resume for an ended one, Show more when there is more to see. */
export function jobKeyboard(job: Job): InlineKeyboard | undefined {
  if (!['succeeded', 'failed', 'dead', 'cancelled'].includes(job.status)) return undefined;
  const keyboard = new InlineKeyboard().text('Retry', encodeCallback({ action: 'retry', jobId: job.id }));
  keyboard.text('Show more', encodeCallback({ action: 'more', jobId: job.id }));
  if (job.status !== 'cancelled' && job.agentSessionId) keyboard.text('Resume', encodeCallback({ action: 'resume', jobId: job.id }));
  return keyboard;
}

/** Parses `/run` words, creates the job and answers with its id; replies to that answer resume it. */
export async function startJob(ctx: Context, deps: FeatureDeps, text: string): Promise<void> {
  const args = parseRunArgs(text);
  if (!args.ok) return replyHtml(ctx, deps, `⚠️ ${escapeHtml(args.issue)}`);
  const { request, host } = await jobRequest(deps, args.value);
  const job = await deps.access.createJob(request, host);
  const where = [job.host, job.model ? `model ${job.model}` : null, job.worktree ? `branch ${job.worktree.branch}` : null].filter(Boolean).join(' · ');
  await replyHtml(ctx, deps, `▶️ Job ${code(job.id)} ${escapeHtml(job.status)} · ${escapeHtml(where)}\n<i>${escapeHtml(firstWords(job.prompt, 120))}</i>\nI will tell you when it ends.`, {
    route: { kind: 'job', jobId: job.id },
  });
}

async function jobRequest(deps: FeatureDeps, args: RunArgs): Promise<{ request: CreateJobRequest; host: string | undefined }> {
  const request: CreateJobRequest = { prompt: args.prompt, tags: ['telegram'] };
  if (args.model) request.model = args.model;
  if (args.worktree) request.worktree = true;
  let host = args.host;
  if (args.repo) {
    const repo = await findRepo(deps.client, args.repo, host);
    request.cwd = repo.root;
    host ??= deps.access.isHub ? repo.host : undefined;
  }
  return { request, host };
}

/** A repository the server knows by its path or its directory name (on `host` when given). */
async function findRepo(client: FlotillaClient, name: string, host: string | undefined): Promise<{ root: string; host: string }> {
  const repos = (await client.repos()).filter((repo) => (host ? repo.host === host : true));
  const matches = repos.filter((repo) => repo.root === name || basename(repo.root) === name || repo.root.endsWith(`/${name}`));
  if (matches.length === 1) return matches[0] as { root: string; host: string };
  if (matches.length === 0) {
    throw new ProtocolError('NOT_FOUND', `no repository named ${name} is known${host ? ` on ${host}` : ''}`, {
      fix: 'run one job in it from a terminal first (the server learns repositories from jobs), or use its full path: #/path/to/repo',
    });
  }
  throw new ProtocolError('BAD_REQUEST', `#${name} matches several repositories: ${matches.map((r) => `${r.root} (${r.host})`).join(', ')}`, {
    fix: 'add @host, or give more of the path',
  });
}

/** A full job id from a full id or a unique prefix of one (any case). */
export async function resolveJobId(client: Pick<FlotillaClient, 'listJobs'>, ref: string): Promise<string> {
  const prefix = ref.trim().toUpperCase();
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(prefix)) return prefix;
  const page = await client.listJobs({ limit: 500 });
  const matches = page.items.filter((job) => job.id.startsWith(prefix) || job.id.endsWith(prefix)).map((job) => job.id);
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0) throw new ProtocolError('JOB_NOT_FOUND', `no recent job has an id starting or ending with "${ref}"`, { fix: '/jobs lists them' });
  throw new ProtocolError('BAD_REQUEST', `"${ref}" matches several jobs: ${matches.slice(0, 5).join(', ')}`, { fix: 'type more of the id' });
}
