import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/**
 * A fake of Linear's GraphQL API on 127.0.0.1 for the operations the director sends: `issues`
 * (filtered by team key and state names, paginated with `first`/`after` and `pageInfo`),
 * `workflowStates`, `issueUpdate` and `commentCreate`. The operation is recognised by its root
 * field and its arguments are read from `variables`; anything else gets a GraphQL validation error.
 * Errors come as Linear sends them: `errors[].extensions.code` `AUTHENTICATION_ERROR` (401) for a
 * wrong key, `RATELIMITED` (HTTP 400) with `x-ratelimit-requests-*` headers (reset in epoch ms).
 */

export interface FakeLinearIssue {
  id: string;
  identifier: string;
  title: string;
  description: string | null;
  teamKey: string;
  stateId: string;
  labels: string[];
  comments: Array<{ body: string; createdAt: string; user: string }>;
}

export interface FakeLinear extends AsyncDisposable {
  url: string;
  /** Operation names in order (`DirectorIssues`, …). */
  operations: string[];
  addTeam(key: string, states: string[]): void;
  addIssue(teamKey: string, issue: { title: string; description?: string; state: string; labels?: string[]; comments?: string[] }): FakeLinearIssue;
  issue(identifier: string): FakeLinearIssue & { stateName: string };
  rateLimitNext(count: number): void;
  close(): Promise<void>;
}

interface Team {
  key: string;
  states: Array<{ id: string; name: string; type: string }>;
  next: number;
}

const PAGE = 50;

export async function startFakeLinear(options: { token: string }): Promise<FakeLinear> {
  const teams = new Map<string, Team>();
  const issues: FakeLinearIssue[] = [];
  const operations: string[] = [];
  let limited = 0;

  const stateName = (id: string) => [...teams.values()].flatMap((t) => t.states).find((s) => s.id === id);
  const issueJson = (issue: FakeLinearIssue) => ({
    id: issue.id,
    identifier: issue.identifier,
    title: issue.title,
    description: issue.description,
    url: `https://linear.test/issue/${issue.identifier}`,
    state: stateName(issue.stateId),
    labels: { nodes: issue.labels.map((name) => ({ name })) },
    comments: { nodes: issue.comments.map((c) => ({ body: c.body, createdAt: c.createdAt, user: { name: c.user } })) },
  });

  function execute(query: string, variables: Record<string, unknown>): { data?: unknown; errors?: unknown[] } {
    if (/^\s*query\b[^{]*\{\s*issues\(/.test(query)) {
      const team = String(variables.team);
      const states = (variables.states as string[]).map((s) => s.toLowerCase());
      const matching = issues.filter((i) => i.teamKey === team && states.includes((stateName(i.stateId)?.name ?? '').toLowerCase()));
      const start = typeof variables.after === 'string' ? matching.findIndex((i) => i.id === variables.after) + 1 : 0;
      const page = matching.slice(start, start + PAGE);
      return { data: { issues: { nodes: page.map(issueJson), pageInfo: { hasNextPage: start + PAGE < matching.length, endCursor: page.at(-1)?.id ?? null } } } };
    }
    if (/^\s*query\b[^{]*\{\s*workflowStates\(/.test(query)) {
      return { data: { workflowStates: { nodes: teams.get(String(variables.team))?.states ?? [] } } };
    }
    if (/^\s*mutation\b[^{]*\{\s*issueUpdate\(/.test(query)) {
      const issue = issues.find((i) => i.id === variables.id);
      if (issue === undefined) return { errors: [{ message: 'Entity not found: Issue', extensions: { code: 'INVALID_INPUT' } }], data: null };
      if (stateName(String(variables.stateId)) === undefined) return { errors: [{ message: 'Argument Validation Error', extensions: { code: 'INVALID_INPUT' } }], data: null };
      issue.stateId = String(variables.stateId);
      return { data: { issueUpdate: { success: true, issue: { id: issue.id, state: { name: stateName(issue.stateId)!.name } } } } };
    }
    if (/^\s*mutation\b[^{]*\{\s*commentCreate\(/.test(query)) {
      const issue = issues.find((i) => i.id === variables.issueId);
      if (issue === undefined) return { errors: [{ message: 'Entity not found: Issue', extensions: { code: 'INVALID_INPUT' } }], data: null };
      issue.comments.push({ body: String(variables.body), createdAt: new Date().toISOString(), user: 'Flotilla' });
      return { data: { commentCreate: { success: true, comment: { id: randomUUID() } } } };
    }
    return { errors: [{ message: 'Cannot query this field: the fake knows issues, workflowStates, issueUpdate and commentCreate', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as { query?: unknown; variables?: unknown } | null;
    const query = typeof body?.query === 'string' ? body.query : '';
    operations.push(/(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? 'anonymous');
    const auth = req.headers.authorization;
    if (auth !== options.token && auth !== `Bearer ${options.token}`) {
      return send(res, 401, { errors: [{ message: 'Authentication required, not authenticated', extensions: { type: 'authentication error', code: 'AUTHENTICATION_ERROR', userPresentableMessage: 'You need to authenticate to access this operation.' } }] });
    }
    if (limited > 0) {
      limited -= 1;
      return send(res, 400, { errors: [{ message: 'Rate limit exceeded', extensions: { code: 'RATELIMITED' } }] }, {
        'x-ratelimit-requests-limit': '1500',
        'x-ratelimit-requests-remaining': '0',
        'x-ratelimit-requests-reset': String(Date.now() + 60_000),
      });
    }
    const answer = execute(query, (body?.variables as Record<string, unknown> | undefined) ?? {});
    send(res, answer.errors !== undefined && answer.data === undefined ? 400 : 200, answer, { 'x-ratelimit-requests-remaining': '1499' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { errors: [{ message: String(error) }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return {
    url,
    operations,
    addTeam: (key, names) =>
      void teams.set(key, { key, next: 1, states: names.map((name) => ({ id: randomUUID(), name, type: /progress/i.test(name) ? 'started' : /review/i.test(name) ? 'started' : 'unstarted' })) }),
    addIssue: (teamKey, input) => {
      const team = teams.get(teamKey);
      const state = team?.states.find((s) => s.name === input.state);
      if (team === undefined || state === undefined) throw new Error(`fake Linear has no team ${teamKey} with state ${input.state}`);
      const issue: FakeLinearIssue = {
        id: randomUUID(),
        identifier: `${teamKey}-${team.next++}`,
        title: input.title,
        description: input.description ?? null,
        teamKey,
        stateId: state.id,
        labels: input.labels ?? [],
        comments: (input.comments ?? []).map((body) => ({ body, createdAt: new Date().toISOString(), user: 'Human' })),
      };
      issues.push(issue);
      return issue;
    },
    issue: (identifier) => {
      const issue = issues.find((i) => i.identifier === identifier);
      if (issue === undefined) throw new Error(`no Linear issue ${identifier}`);
      return { ...issue, stateName: stateName(issue.stateId)!.name };
    },
    rateLimitNext: (count) => void (limited = count),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
