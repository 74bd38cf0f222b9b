import { z } from 'zod';
import { HttpApiError, rateLimitReset } from '../http-errors.js';

const StateSchema = z.object({ id: z.string(), name: z.string(), type: z.string() });
export type LinearState = z.infer<typeof StateSchema>;

export const LinearIssueSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  url: z.string(),
  state: StateSchema,
  labels: z.object({ nodes: z.array(z.object({ name: z.string() })) }),
  comments: z.object({ nodes: z.array(z.object({ body: z.string(), createdAt: z.string(), user: z.object({ name: z.string() }).nullable() })) }),
});
export type LinearIssue = z.infer<typeof LinearIssueSchema>;

const IssuesDataSchema = z.object({
  issues: z.object({ nodes: z.array(LinearIssueSchema), pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }) }),
});
const StatesDataSchema = z.object({ workflowStates: z.object({ nodes: z.array(StateSchema) }) });
const IssueUpdateDataSchema = z.object({ issueUpdate: z.object({ success: z.boolean() }) });
const CommentCreateDataSchema = z.object({ commentCreate: z.object({ success: z.boolean() }) });
const GraphQLErrorSchema = z.object({ message: z.string(), extensions: z.object({ code: z.string().optional() }).passthrough().optional() });
const EnvelopeSchema = z.object({ data: z.unknown().optional(), errors: z.array(GraphQLErrorSchema).optional() });

const ISSUES_QUERY = `query DirectorIssues($team: String!, $states: [String!]!, $after: String) {
  issues(first: 50, after: $after, filter: { team: { key: { eq: $team } }, state: { name: { in: $states } } }) {
    nodes {
      id identifier title description url
      state { id name type }
      labels { nodes { name } }
      comments(first: 50) { nodes { body createdAt user { name } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;
const STATES_QUERY = `query DirectorStates($team: String!) {
  workflowStates(filter: { team: { key: { eq: $team } } }) { nodes { id name type } }
}`;
const ISSUE_UPDATE = `mutation DirectorIssueUpdate($id: String!, $stateId: String!) {
  issueUpdate(id: $id, input: { stateId: $stateId }) { success issue { id state { name } } }
}`;
const COMMENT_CREATE = `mutation DirectorCommentCreate($issueId: String!, $body: String!) {
  commentCreate(input: { issueId: $issueId, body: $body }) { success comment { id } }
}`;

export interface LinearApiOptions {
  /** `https://api.linear.app/graphql` or a test server. */
  apiUrl: string;
  /** A personal API key (sent as is) or an OAuth token (`Bearer …`). */
  token: string;
  fetch?: typeof fetch;
}

/** Linear's GraphQL API over fetch: issues with comments and labels, workflow states, issueUpdate, commentCreate. */
export interface LinearApi {
  listIssues(team: string, states: string[]): Promise<LinearIssue[]>;
  workflowStates(team: string): Promise<LinearState[]>;
  setIssueState(issueId: string, stateId: string): Promise<void>;
  createComment(issueId: string, body: string): Promise<void>;
}

/**
 * @example
 * const linear = createLinearApi({ apiUrl: 'https://api.linear.app/graphql', token: process.env.LINEAR_API_KEY! });
 * const issues = await linear.listIssues('ENG', ['Todo']);
 */
export function createLinearApi(options: LinearApiOptions): LinearApi {
  const doFetch = options.fetch ?? fetch;

  async function graphql<T extends z.ZodType>(schema: T, query: string, variables: Record<string, unknown>): Promise<z.infer<T>> {
    const response = await doFetch(options.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: options.token, 'user-agent': 'flotilla-director' },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    const envelope = EnvelopeSchema.safeParse(safeJson(text));
    const errors = envelope.success ? (envelope.data.errors ?? []) : [];
    if (errors.length > 0 || response.status >= 400 || !envelope.success) throw linearError(response, errors, text);
    return schema.parse(envelope.data.data);
  }

  return {
    async listIssues(team, states) {
      const issues: LinearIssue[] = [];
      let after: string | null = null;
      for (let page = 0; page < 40; page += 1) {
        const data: z.infer<typeof IssuesDataSchema> = await graphql(IssuesDataSchema, ISSUES_QUERY, { team, states, after });
        issues.push(...data.issues.nodes);
        if (!data.issues.pageInfo.hasNextPage) break;
        after = data.issues.pageInfo.endCursor;
      }
      return issues;
    },
    workflowStates: async (team) => (await graphql(StatesDataSchema, STATES_QUERY, { team })).workflowStates.nodes,
    async setIssueState(issueId, stateId) {
      const data = await graphql(IssueUpdateDataSchema, ISSUE_UPDATE, { id: issueId, stateId });
      if (!data.issueUpdate.success) throw new HttpApiError('HTTP_ERROR', `Linear issueUpdate of ${issueId} answered success: false`, 200);
    },
    async createComment(issueId, body) {
      const data = await graphql(CommentCreateDataSchema, COMMENT_CREATE, { issueId, body });
      if (!data.commentCreate.success) throw new HttpApiError('HTTP_ERROR', `Linear commentCreate on ${issueId} answered success: false`, 200);
    },
  };
}

/** Linear names the error in `extensions.code`: `RATELIMITED`, `AUTHENTICATION_ERROR`, … */
function linearError(response: Response, errors: Array<z.infer<typeof GraphQLErrorSchema>>, text: string): HttpApiError {
  const codes = errors.map((e) => e.extensions?.code ?? '');
  const message = `Linear answered ${response.status}: ${errors.map((e) => e.message).join('; ') || text.slice(0, 200)}`;
  if (codes.includes('RATELIMITED') || response.status === 429) {
    return new HttpApiError('RATE_LIMITED', message, response.status, rateLimitReset(response.headers, 'x-ratelimit-requests-reset', 'ms'));
  }
  if (codes.includes('AUTHENTICATION_ERROR') || response.status === 401) return new HttpApiError('AUTH_FAILED', message, response.status);
  if (codes.includes('FORBIDDEN') || response.status === 403) return new HttpApiError('AUTH_FAILED', message, response.status);
  if (response.status >= 500) return new HttpApiError('UNAVAILABLE', message, response.status);
  return new HttpApiError('HTTP_ERROR', message, response.status);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
