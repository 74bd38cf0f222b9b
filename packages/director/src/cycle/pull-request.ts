import createDebug from 'debug';
import type { Ledger, PullRequestRecord } from '../ledger/ledger.js';
import type { GitHubApi, GitHubPull } from '../sources/github/github-api.js';
import { isHttpApiError } from '../sources/http-errors.js';

const debug = createDebug('director:pr');

export interface EnsurePullRequestInput {
  ledger: Ledger;
  github: GitHubApi;
  batchId: string;
  /** `owner/name`. */
  repo: string;
  head: string;
  base: string;
  title: string;
  body: string;
  owner: string;
  /** How long this director may take between the intent and the record before another takes over. */
  leaseMs: number;
  /** Test seam: runs after GitHub created the pull request and before the ledger records it. */
  afterCreate?: (pull: GitHubPull) => Promise<void> | void;
}

export type EnsurePullRequestResult =
  | { state: 'created' | 'adopted'; record: PullRequestRecord }
  /** Another director intends to create it right now; try again in a later cycle. */
  | { state: 'busy'; by: string };

/**
 * Opens the batch's pull request at most once, ever:
 * 1. the "PR intended" record is written and committed to the ledger first (or, when the ledger
 *    already has the pull request, it is returned; when another director's intent is live, `busy`);
 * 2. GitHub is asked for a pull request whose head is the branch (any state) — found, it is adopted;
 * 3. only then is it created; GitHub's 422 "already exists" (another writer won) is resolved by
 *    looking it up again and adopting it.
 * A crash between the create and the record leaves the intent: the next run finds the pull request
 * in step 2 instead of making a second one.
 */
export async function ensurePullRequest(input: EnsurePullRequestInput): Promise<EnsurePullRequestResult> {
  const intent = await input.ledger.intendPullRequest(input.batchId, { owner: input.owner, leaseMs: input.leaseMs, repo: input.repo, head: input.head, base: input.base });
  if (intent.state === 'created') return { state: 'adopted', record: intent.record };
  if (intent.state === 'busy') return { state: 'busy', by: intent.record.intendedBy };
  const existing = await findByHead(input.github, input.repo, input.head);
  if (existing !== null) return adopt(input, existing);
  let created: GitHubPull;
  try {
    created = await input.github.createPull(input.repo, { title: input.title, head: input.head, base: input.base, body: input.body });
  } catch (error) {
    if (!isHttpApiError(error, 'PR_EXISTS')) throw error;
    const winner = await findByHead(input.github, input.repo, input.head);
    if (winner === null) throw error;
    return adopt(input, winner);
  }
  await input.afterCreate?.(created);
  debug('created %s#%d for %s', input.repo, created.number, input.head);
  return { state: 'created', record: await input.ledger.recordPullRequest(input.batchId, { number: created.number, url: created.html_url, adopted: false }) };
}

/** The open pull request of this head if there is one, else the newest of any state. */
async function findByHead(github: GitHubApi, repo: string, head: string): Promise<GitHubPull | null> {
  const pulls = (await github.listPullsByHead(repo, head)).filter((p) => p.head.ref === head);
  return pulls.find((p) => p.state === 'open') ?? pulls.sort((a, b) => b.number - a.number)[0] ?? null;
}

async function adopt(input: EnsurePullRequestInput, pull: GitHubPull): Promise<EnsurePullRequestResult> {
  debug('adopting %s#%d for %s', input.repo, pull.number, input.head);
  return { state: 'adopted', record: await input.ledger.recordPullRequest(input.batchId, { number: pull.number, url: pull.html_url, adopted: true }) };
}
