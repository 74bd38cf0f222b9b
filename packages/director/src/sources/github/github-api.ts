import { z } from 'zod';
import { HttpApiError, rateLimitReset } from '../http-errors.js';

/** The shapes of GitHub's REST v3 answers the director reads (everything else is ignored). */
const LabelSchema = z.union([z.string(), z.object({ name: z.string() })]);
export const GitHubIssueSchema = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.string(),
  html_url: z.string(),
  labels: z.array(LabelSchema),
  user: z.object({ login: z.string() }).nullable().optional(),
  /** Present when the "issue" is a pull request (GitHub lists both). */
  pull_request: z.object({}).passthrough().optional(),
});
export type GitHubIssue = z.infer<typeof GitHubIssueSchema>;

export const GitHubCommentSchema = z.object({
  id: z.number().int(),
  body: z.string().nullable().optional(),
  user: z.object({ login: z.string() }).nullable().optional(),
  created_at: z.string(),
});
export type GitHubComment = z.infer<typeof GitHubCommentSchema>;

export const GitHubPullSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  state: z.string(),
  title: z.string(),
  head: z.object({ ref: z.string(), label: z.string().optional() }),
  base: z.object({ ref: z.string() }),
});
export type GitHubPull = z.infer<typeof GitHubPullSchema>;

const ValidationErrorSchema = z.object({
  message: z.string().optional(),
  errors: z.array(z.object({ message: z.string().optional(), code: z.string().optional() }).passthrough()).optional(),
});

export interface GitHubApiOptions {
  /** `https://api.github.com` or an Enterprise / test server. */
  apiUrl: string;
  token: string;
  fetch?: typeof fetch;
}

/** GitHub REST v3 over fetch: issues, comments, labels and pull requests. Errors are `HttpApiError`s. */
export interface GitHubApi {
  listOpenIssues(repo: string, label?: string): Promise<GitHubIssue[]>;
  listComments(repo: string, issue: number): Promise<GitHubComment[]>;
  addLabels(repo: string, issue: number, labels: string[]): Promise<void>;
  /** Removing a label the issue does not have is not an error. */
  removeLabel(repo: string, issue: number, label: string): Promise<void>;
  createComment(repo: string, issue: number, body: string): Promise<void>;
  /** Pull requests of any state whose head is `owner:branch` (the `head` filter). */
  listPullsByHead(repo: string, branch: string): Promise<GitHubPull[]>;
  /** Rejects `PR_EXISTS` on GitHub's 422 "A pull request already exists for owner:branch". */
  createPull(repo: string, pull: { title: string; head: string; base: string; body: string }): Promise<GitHubPull>;
}

/**
 * @example
 * const github = createGitHubApi({ apiUrl: 'https://api.github.com', token: process.env.GITHUB_TOKEN! });
 * const [existing] = await github.listPullsByHead('acme/api', 'flotilla/t/board-AUTH-12');
 */
export function createGitHubApi(options: GitHubApiOptions): GitHubApi {
  const doFetch = options.fetch ?? fetch;
  const base = options.apiUrl.replace(/\/+$/, '');

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; link: string | null }> {
    const response = await doFetch(`${base}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${options.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'flotilla-director',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json: unknown = text === '' ? null : safeJson(text);
    if (response.status >= 400) throw gitHubError(method, path, response, json);
    return { status: response.status, json, link: response.headers.get('link') };
  }

  async function all<T extends z.ZodType>(schema: T, path: string): Promise<Array<z.infer<T>>> {
    const items: Array<z.infer<T>> = [];
    let next: string | null = path;
    for (let page = 0; next !== null && page < 50; page += 1) {
      const answer = await call('GET', next);
      items.push(...z.array(schema).parse(answer.json));
      next = nextPage(answer.link, base);
    }
    return items;
  }

  const repoPath = (repo: string) => `/repos/${repo.split('/').map(encodeURIComponent).join('/')}`;
  return {
    listOpenIssues: async (repo, label) => {
      const query = new URLSearchParams({ state: 'open', per_page: '100', ...(label === undefined ? {} : { labels: label }) });
      return (await all(GitHubIssueSchema, `${repoPath(repo)}/issues?${query}`)).filter((issue) => issue.pull_request === undefined);
    },
    listComments: (repo, issue) => all(GitHubCommentSchema, `${repoPath(repo)}/issues/${issue}/comments?per_page=100`),
    addLabels: async (repo, issue, labels) => void (await call('POST', `${repoPath(repo)}/issues/${issue}/labels`, { labels })),
    removeLabel: async (repo, issue, label) => {
      try {
        await call('DELETE', `${repoPath(repo)}/issues/${issue}/labels/${encodeURIComponent(label)}`);
      } catch (error) {
        if (!(error instanceof HttpApiError && error.code === 'NOT_FOUND')) throw error;
      }
    },
    createComment: async (repo, issue, body) => void (await call('POST', `${repoPath(repo)}/issues/${issue}/comments`, { body })),
    listPullsByHead: (repo, branch) => {
      const owner = repo.split('/')[0]!;
      const query = new URLSearchParams({ head: `${owner}:${branch}`, state: 'all', per_page: '100' });
      return all(GitHubPullSchema, `${repoPath(repo)}/pulls?${query}`);
    },
    createPull: async (repo, pull) => GitHubPullSchema.parse((await call('POST', `${repoPath(repo)}/pulls`, pull)).json),
  };
}

function gitHubError(method: string, path: string, response: Response, json: unknown): HttpApiError {
  const where = `GitHub ${method} ${path.split('?')[0]}`;
  const parsed = ValidationErrorSchema.safeParse(json);
  const message = parsed.success ? (parsed.data.message ?? '') : '';
  const detail = parsed.success ? (parsed.data.errors ?? []).map((e) => e.message ?? e.code ?? '').filter(Boolean).join('; ') : '';
  const text = `${where} answered ${response.status}: ${[message, detail].filter(Boolean).join(' — ')}`;
  const reset = rateLimitReset(response.headers, 'x-ratelimit-reset', 'seconds');
  if (response.status === 401) return new HttpApiError('AUTH_FAILED', text, response.status);
  const exhausted = response.headers.get('x-ratelimit-remaining') === '0' || response.headers.has('retry-after');
  if (response.status === 429 || (response.status === 403 && (exhausted || /rate limit/i.test(message)))) {
    return new HttpApiError('RATE_LIMITED', text, response.status, reset);
  }
  if (response.status === 403) return new HttpApiError('AUTH_FAILED', text, response.status);
  if (response.status === 404) return new HttpApiError('NOT_FOUND', text, response.status);
  if (response.status === 422 && /pull request already exists/i.test(detail)) return new HttpApiError('PR_EXISTS', text, response.status);
  if (response.status === 422) return new HttpApiError('VALIDATION_FAILED', text, response.status);
  return new HttpApiError(response.status >= 500 ? 'UNAVAILABLE' : 'HTTP_ERROR', text, response.status);
}

/** The `rel="next"` URL of a `Link` header, as a path under the API base. */
function nextPage(link: string | null, base: string): string | null {
  const match = link === null ? null : /<([^>]+)>;\s*rel="next"/.exec(link);
  if (match === null) return null;
  const url = match[1]!;
  return url.startsWith(base) ? url.slice(base.length) : new URL(url).pathname + new URL(url).search;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
