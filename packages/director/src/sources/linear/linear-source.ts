import type { LinearSourceConfig } from '../../config/config-schema.js';
import type { Ticket } from '../../tickets/ticket.js';
import { HttpApiError } from '../http-errors.js';
import type { TicketSource } from '../ticket-source.js';
import type { LinearApi, LinearIssue, LinearState } from './linear-api.js';

/**
 * Linear issues as tickets: the team's issues in the configured states (plus those in the
 * in-progress state, so interrupted work resumes), `ENG-42` as the id. Statuses are workflow
 * states, found by name once; the review link is a comment.
 *
 * @example
 * const source = createLinearSource(createLinearApi({ apiUrl, token }), config.sources.linear);
 */
export function createLinearSource(api: LinearApi, config: LinearSourceConfig): TicketSource {
  let states: LinearState[] | null = null;

  async function stateId(name: string): Promise<string> {
    states ??= await api.workflowStates(config.team);
    const state = states.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (state === undefined) {
      throw new HttpApiError('VALIDATION_FAILED', `Linear team ${config.team} has no workflow state "${name}" (it has ${states.map((s) => s.name).join(', ')})`, 200);
    }
    return state.id;
  }

  const toTicket = (issue: LinearIssue): Ticket => ({
    source: 'linear',
    id: issue.identifier,
    ref: issue.id,
    title: issue.title,
    body: issue.description ?? '',
    labels: issue.labels.nodes.map((label) => label.name),
    comments: issue.comments.nodes.map((c) => ({ author: c.user?.name ?? 'unknown', body: c.body, at: c.createdAt })),
    url: issue.url,
    inProgress: issue.state.name.toLowerCase() === config.inProgressState.toLowerCase(),
  });

  return {
    name: 'linear',
    listEligible: async () => (await api.listIssues(config.team, [...config.states, config.inProgressState])).map(toTicket),
    claim: async () => true,
    async release(ticket) {
      await api.setIssueState(ticket.ref, await stateId(config.states[0]!));
    },
    async setStatus(ticket, update) {
      if (update.status === 'in_progress') return api.setIssueState(ticket.ref, await stateId(config.inProgressState));
      if (update.status === 'in_review') {
        await api.setIssueState(ticket.ref, await stateId(config.inReviewState));
        const link = update.link ?? `branch \`${update.branch}\``;
        return api.createComment(ticket.ref, `Ready for review: ${link}\n\n${update.note}`.trim());
      }
      return api.createComment(ticket.ref, `Flotilla director gave up on this issue: ${update.note}`);
    },
    comment: (ticket, body) => api.createComment(ticket.ref, body),
  };
}
