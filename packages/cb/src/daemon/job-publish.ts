/**
 * A job that publishes its work on `origin` (`CreateJobRequest.publish`): the director's jobs on a
 * host other than its own. When the job is created the repository fetches `origin`, and the worktree
 * starts from `origin/<branch>` when origin already has it (an earlier attempt's work), else from the
 * asked base. When an attempt succeeds, the daemon — in its own finalize path, so a director that is
 * down meanwhile loses nothing — commits what the agent left uncommitted with the job's message and
 * pushes the worktree's HEAD to `origin` as the branch (never forced: a branch that moved elsewhere
 * fails the push, said so).
 */
import { ProtocolError, type Job } from '@flotilla/protocol';
import { git, resolveCommit } from '../worktree/git.js';

/** Used only when the repository has no identity of its own, so a commit never fails on it. */
const FALLBACK_IDENTITY = ['-c', 'user.name=Flotilla', '-c', 'user.email=flotilla@flotilla.invalid'];

type Publish = NonNullable<Job['publish']>;

/**
 * Fetches `origin` and answers the base the worktree starts from: `origin/<branch>` when origin has
 * the branch, else `base` (the caller's, e.g. `origin/main`). Refuses a repository without `origin`.
 */
export async function baseForPublishing(repoRoot: string, publish: Publish, base: string | undefined): Promise<string | undefined> {
  // Pushed as `HEAD:refs/heads/<branch>`: a name git would not take as a branch never reaches the refspec.
  const valid = !publish.branch.startsWith('-') && (await git(repoRoot, ['check-ref-format', '--branch', publish.branch], { readOnly: true })).ok;
  if (!valid) {
    throw new ProtocolError('BAD_REQUEST', `publish: ${JSON.stringify(publish.branch)} is not a valid branch name`, { fix: 'name a branch git accepts (git check-ref-format --branch NAME)' });
  }
  const remotes = await git(repoRoot, ['remote'], { readOnly: true });
  if (!remotes.ok || !remotes.stdout.split('\n').includes('origin')) {
    throw new ProtocolError('BAD_REQUEST', `${repoRoot} has no origin remote to publish ${publish.branch} to`, {
      fix: 'add an origin remote to the repository on this host, or create the job without publish',
    });
  }
  const fetched = await oneAtATime(repoRoot, () => git(repoRoot, ['fetch', '--quiet', 'origin']));
  if (!fetched.ok) throw new ProtocolError('WORKTREE_FAILED', `could not fetch origin in ${repoRoot}: ${fetched.message}`);
  if ((await resolveCommit(repoRoot, `refs/remotes/origin/${publish.branch}`)) !== null) return `origin/${publish.branch}`;
  return base;
}

/** Fetches of one repository run one at a time in the daemon: two at once fight over its ref locks. */
const fetchQueues = new Map<string, Promise<unknown>>();
function oneAtATime<T>(repoRoot: string, fn: () => Promise<T>): Promise<T> {
  const next = (fetchQueues.get(repoRoot) ?? Promise.resolve()).catch(() => undefined).then(fn);
  fetchQueues.set(repoRoot, next);
  void next.finally(() => {
    if (fetchQueues.get(repoRoot) === next) fetchQueues.delete(repoRoot);
  }).catch(() => undefined);
  return next;
}

export type PublishResult = { ok: true; detail: string } | { ok: false; message: string };

/** Commits the agent's leftovers and pushes HEAD to origin as the job's branch; safe to run twice. */
export async function publishWork(job: Job): Promise<PublishResult> {
  const wt = job.worktree;
  const publish = job.publish;
  if (!wt || !publish) return { ok: true, detail: 'nothing to publish' };
  const added = await git(wt.path, ['add', '--all']);
  if (!added.ok) return { ok: false, message: `could not stage the agent's changes in ${wt.path}: ${added.message}` };
  const staged = await git(wt.path, ['diff', '--cached', '--quiet'], { readOnly: true });
  if (!staged.ok) {
    const email = await git(wt.path, ['config', 'user.email'], { readOnly: true });
    const identity = email.ok && email.stdout.trim() !== '' ? [] : FALLBACK_IDENTITY;
    const committed = await git(wt.path, [...identity, 'commit', '--quiet', '--no-verify', '-m', publish.message]);
    if (!committed.ok) return { ok: false, message: `could not commit the agent's changes in ${wt.path}: ${committed.message}` };
  }
  const head = await resolveCommit(wt.path, 'HEAD');
  if (head === null) return { ok: false, message: `${wt.path} has no HEAD commit` };
  if (head === wt.baseCommit) return { ok: true, detail: `nothing to publish: ${wt.branch} is still at its base` };
  const pushed = await git(wt.path, ['push', '--quiet', 'origin', `HEAD:refs/heads/${publish.branch}`]);
  if (!pushed.ok) return { ok: false, message: `the work is committed on ${wt.branch} in ${wt.path}, but the push to origin ${publish.branch} failed: ${pushed.message}` };
  return { ok: true, detail: `pushed ${head.slice(0, 12)} to origin ${publish.branch}` };
}
