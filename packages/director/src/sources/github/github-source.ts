import type { GitHubSourceConfig } from '../../config/config-schema.js';
import type { Ticket } from '../../tickets/ticket.js';
import type { TicketSource, TicketStatusUpdate } from '../ticket-source.js';
import type { GitHubApi, GitHubIssue } from './github-api.js';

/**
 * GitHub Issues as tickets: open issues of the configured repos (with the configured label),
 * `acme/api#12` as the id. In progress and in review are labels; the review link is a comment.
 *
 * @example
 * const source = createGitHubIssuesSource(createGitHubApi({ apiUrl, token }), config.sources.github);
 */
export function createGitHubIssuesSource(api: GitHubApi, config: GitHubSourceConfig): TicketSource {
  const where = (ticket: Ticket) => {
    const [repo, number] = ticket.ref.split('#');
    return { repo: repo!, number: Number(number) };
  };

  async function toTicket(repo: string, issue: GitHubIssue): Promise<Ticket> {
    const comments = await api.listComments(repo, issue.number);
    const labels = issue.labels.map((label) => (typeof label === 'string' ? label : label.name));
    return {
      source: 'github',
      id: `${repo}#${issue.number}`,
      ref: `${repo}#${issue.number}`,
      title: issue.title,
      body: issue.body ?? '',
      labels,
      comments: comments.map((c) => ({ author: c.user?.login ?? 'ghost', body: c.body ?? '', at: c.created_at })),
      url: issue.html_url,
      inProgress: labels.includes(config.inProgressLabel),
    };
  }

  return {
    name: 'github',
    async listEligible() {
      const tickets: Ticket[] = [];
      for (const repo of config.repos) {
        const issues = await api.listOpenIssues(repo, config.label);
        for (const issue of issues) {
          const labels = issue.labels.map((label) => (typeof label === 'string' ? label : label.name));
          if (labels.includes(config.inReviewLabel)) continue;
          tickets.push(await toTicket(repo, issue));
        }
      }
      return tickets;
    },
    claim: async () => true,
    async release(ticket) {
      const { repo, number } = where(ticket);
      await api.removeLabel(repo, number, config.inProgressLabel);
    },
    async setStatus(ticket, update: TicketStatusUpdate) {
      const { repo, number } = where(ticket);
      if (update.status === 'in_progress') {
        await api.addLabels(repo, number, [config.inProgressLabel]);
        return;
      }
      await api.removeLabel(repo, number, config.inProgressLabel);
      if (update.status === 'in_review') {
        await api.addLabels(repo, number, [config.inReviewLabel]);
        await api.createComment(repo, number, reviewComment(update));
      } else {
        await api.createComment(repo, number, `Flotilla director gave up on this issue: ${update.note}`);
      }
    },
    async comment(ticket, body) {
      const { repo, number } = where(ticket);
      await api.createComment(repo, number, body);
    },
  };
}

function reviewComment(update: Extract<TicketStatusUpdate, { status: 'in_review' }>): string {
  const link = update.link === null ? `branch \`${update.branch}\`` : update.link;
  return `Ready for review: ${link}\n\n${update.note}`.trim();
}
