import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runGit } from '../git/run-git.js';

/**
 * A fake of GitHub's REST v3 on 127.0.0.1, speaking its wire format for what the director uses:
 * issues (pull requests share their numbers and show up in the issue list with `pull_request`),
 * comments, labels, and pull requests (create, list with `head=owner:branch` and `state`). Errors
 * as GitHub sends them: 401 "Bad credentials", 422 "Validation Failed" with "A pull request already
 * exists for owner:branch." for a second open PR of one head and base, 422 for a head branch the
 * remote does not have, and 403/429 rate limits with `x-ratelimit-*` and `retry-after` headers.
 */

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  comments: Array<{ id: number; body: string; login: string; created_at: string }>;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
}

interface FakeRepo {
  issues: Map<number, FakeIssue>;
  pulls: FakePull[];
  next: number;
  /** A bare git repository standing for the remote: a PR's head must exist there. */
  remote?: string;
}

export interface FakeGitHubOptions {
  token: string;
  /** Runs after a pull request is stored and before the answer is sent (to kill a client mid-way). */
  onPullCreated?: (pull: FakePull) => Promise<void> | void;
}

export interface FakeGitHub extends AsyncDisposable {
  url: string;
  /** Every request as `METHOD /path?query`. */
  requests: string[];
  addRepo(fullName: string, options?: { remote?: string }): void;
  addIssue(fullName: string, issue: { title: string; body?: string; labels?: string[]; comments?: string[] }): FakeIssue;
  issue(fullName: string, number: number): FakeIssue;
  pulls(fullName: string): FakePull[];
  /** Runs `hook` once, after the next pull request is stored and before its answer is sent. */
  onPullCreatedOnce(hook: (pull: FakePull) => Promise<void> | void): void;
  /** The next `count` requests answer a rate limit (`403` primary or `429` secondary). */
  rateLimitNext(count: number, status?: 403 | 429): void;
  close(): Promise<void>;
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const repos = new Map<string, FakeRepo>();
  const requests: string[] = [];
  let limited = { count: 0, status: 403 as 403 | 429 };
  let commentId = 1000;
  let onceHooks: Array<(pull: FakePull) => Promise<void> | void> = [];
  let url = '';

  const repoOf = (name: string): FakeRepo => {
    const repo = repos.get(name.toLowerCase());
    if (repo === undefined) throw new Error(`fake GitHub has no repo ${name}`);
    return repo;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', url);
    requests.push(`${req.method} ${parsed.pathname}${parsed.search}`);
    const reset = Math.floor(Date.now() / 1000) + 60;
    if (req.headers.authorization !== `Bearer ${options.token}` && req.headers.authorization !== `token ${options.token}`) {
      return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }
    if (limited.count > 0) {
      limited.count -= 1;
      if (limited.status === 429) {
        return send(res, 429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '429' }, { 'retry-after': '60' });
      }
      return send(res, 403, { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' }, { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(reset) });
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(parsed.pathname);
    const repo = match === null ? undefined : repos.get(`${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`.toLowerCase());
    if (match === null || repo === undefined) return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    const owner = decodeURIComponent(match[1]!);
    const body = await readJson(req);
    return route({ req, res, repo, owner, fullName: `${owner}/${decodeURIComponent(match[2]!)}`, rest: match[3]!, query: parsed.searchParams, body });
  }

  async function route(c: { req: IncomingMessage; res: ServerResponse; repo: FakeRepo; owner: string; fullName: string; rest: string; query: URLSearchParams; body: unknown }): Promise<void> {
    const { req, res, repo, owner } = c;
    const issueMatch = /^\/issues\/(\d+)(\/.*)?$/.exec(c.rest);
    if (req.method === 'GET' && c.rest === '/issues') return listIssues(c);
    if (req.method === 'GET' && c.rest === '/pulls') {
      const state = c.query.get('state') ?? 'open';
      const head = c.query.get('head');
      const base = c.query.get('base');
      const found = repo.pulls.filter((p) => (state === 'all' || p.state === state) && (head === null || `${owner}:${p.head}` === head) && (base === null || p.base === base));
      return send(res, 200, found.map((p) => pullJson(p, c.owner, c.fullName)));
    }
    if (req.method === 'POST' && c.rest === '/pulls') return createPull(c);
    if (issueMatch === null) return send(res, 404, { message: 'Not Found', status: '404' });
    const issue = repo.issues.get(Number(issueMatch[1]));
    if (issue === undefined) return send(res, 404, { message: 'Not Found', status: '404' });
    const sub = issueMatch[2] ?? '';
    if (req.method === 'GET' && sub === '/comments') return send(res, 200, issue.comments.map((comment) => ({ id: comment.id, body: comment.body, user: { login: comment.login }, created_at: comment.created_at })));
    if (req.method === 'POST' && sub === '/comments') {
      const text = (c.body as { body?: unknown } | null)?.body;
      if (typeof text !== 'string' || text === '') return validationFailed(res, 'Issue comment', 'body', 'missing_field');
      const comment = { id: commentId++, body: text, login: 'flotilla-bot', created_at: new Date().toISOString() };
      issue.comments.push(comment);
      return send(res, 201, { id: comment.id, body: comment.body, user: { login: comment.login }, created_at: comment.created_at });
    }
    if (req.method === 'POST' && sub === '/labels') {
      const labels = (c.body as { labels?: unknown } | null)?.labels;
      if (!Array.isArray(labels)) return validationFailed(res, 'Label', 'labels', 'invalid');
      for (const label of labels) if (typeof label === 'string' && !issue.labels.includes(label)) issue.labels.push(label);
      return send(res, 200, issue.labels.map((name) => ({ name })));
    }
    const labelMatch = /^\/labels\/(.+)$/.exec(sub);
    if (req.method === 'DELETE' && labelMatch !== null) {
      const name = decodeURIComponent(labelMatch[1]!);
      if (!issue.labels.includes(name)) return send(res, 404, { message: 'Label does not exist', status: '404' });
      issue.labels = issue.labels.filter((l) => l !== name);
      return send(res, 200, issue.labels.map((n) => ({ name: n })));
    }
    return send(res, 404, { message: 'Not Found', status: '404' });
  }

  function listIssues(c: { res: ServerResponse; repo: FakeRepo; owner: string; fullName: string; query: URLSearchParams }): void {
    const state = c.query.get('state') ?? 'open';
    const wanted = (c.query.get('labels') ?? '').split(',').filter(Boolean);
    const perPage = Number(c.query.get('per_page') ?? 30);
    const page = Number(c.query.get('page') ?? 1);
    const issues = [...c.repo.issues.values()].filter((i) => (state === 'all' || i.state === state) && wanted.every((l) => i.labels.includes(l)));
    const asJson = [
      ...issues.map((i) => ({ number: i.number, title: i.title, body: i.body, state: i.state, html_url: `https://github.test/${c.fullName}/issues/${i.number}`, labels: i.labels.map((name) => ({ name })), user: { login: 'someone' } })),
      ...c.repo.pulls.filter((p) => state === 'all' || p.state === state).map((p) => ({ ...pullJson(p, c.owner, c.fullName), labels: [], pull_request: { url: '' } })),
    ].sort((a, b) => b.number - a.number);
    const slice = asJson.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < asJson.length) {
      const next = new URLSearchParams(c.query);
      next.set('page', String(page + 1));
      headers.link = `<${url}/repos/${c.fullName}/issues?${next}>; rel="next"`;
    }
    send(c.res, 200, slice, headers);
  }

  async function createPull(c: { res: ServerResponse; repo: FakeRepo; owner: string; fullName: string; body: unknown }): Promise<void> {
    const input = c.body as { title?: unknown; head?: unknown; base?: unknown; body?: unknown } | null;
    if (typeof input?.head !== 'string' || typeof input.base !== 'string' || typeof input.title !== 'string') {
      return validationFailed(c.res, 'PullRequest', 'head', 'missing_field');
    }
    const head = input.head.includes(':') ? input.head.split(':')[1]! : input.head;
    if (c.repo.remote !== undefined && (await runGit(c.repo.remote, ['rev-parse', '--verify', '--quiet', `refs/heads/${head}`])).exitCode !== 0) {
      return validationFailed(c.res, 'PullRequest', 'head', 'invalid');
    }
    if (c.repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === input.base)) {
      return send(c.res, 422, {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${c.owner}:${head}.` }],
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        status: '422',
      });
    }
    const pull: FakePull = { number: c.repo.next++, title: input.title, body: typeof input.body === 'string' ? input.body : '', head, base: input.base, state: 'open' };
    c.repo.pulls.push(pull);
    await options.onPullCreated?.(pull);
    const hooks = onceHooks;
    onceHooks = [];
    for (const hook of hooks) await hook(pull);
    send(c.res, 201, pullJson(pull, c.owner, c.fullName));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return {
    url,
    requests,
    addRepo: (fullName, repoOptions = {}) => void repos.set(fullName.toLowerCase(), { issues: new Map(), pulls: [], next: 1, ...repoOptions }),
    addIssue: (fullName, input) => {
      const repo = repoOf(fullName);
      const issue: FakeIssue = {
        number: repo.next++,
        title: input.title,
        body: input.body ?? '',
        labels: input.labels ?? [],
        state: 'open',
        comments: (input.comments ?? []).map((body) => ({ id: commentId++, body, login: 'human', created_at: new Date().toISOString() })),
      };
      repo.issues.set(issue.number, issue);
      return issue;
    },
    issue: (fullName, number) => {
      const issue = repoOf(fullName).issues.get(number);
      if (issue === undefined) throw new Error(`no issue ${fullName}#${number}`);
      return issue;
    },
    pulls: (fullName) => repoOf(fullName).pulls,
    onPullCreatedOnce: (hook) => void onceHooks.push(hook),
    rateLimitNext: (count, status = 403) => void (limited = { count, status }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function pullJson(p: FakePull, owner: string, fullName: string) {
  return {
    number: p.number,
    html_url: `https://github.test/${fullName}/pull/${p.number}`,
    state: p.state,
    title: p.title,
    body: p.body,
    head: { ref: p.head, label: `${owner}:${p.head}` },
    base: { ref: p.base, label: `${owner}:${p.base}` },
  };
}

function validationFailed(res: ServerResponse, resource: string, field: string, code: string): void {
  send(res, 422, { message: 'Validation Failed', errors: [{ resource, field, code }], documentation_url: 'https://docs.github.com/rest', status: '422' });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
