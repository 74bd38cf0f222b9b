import type { AddTaskRequest } from '@flotilla/protocol';
import { markerLine, type ProposalIdentity } from './duplicates.js';
import type { CheckedProposal } from './proposals.js';

const MAX_QUOTE_LINES = 6;

/**
 * A checked proposal as the board task a person approves: `[repo] title` (so the director routes it
 * once approved), the agent's body, every piece of evidence with its mark, where it came from, and
 * the marker line the next run compares against. Always `proposed: true`.
 */
export function proposedTask(input: { repo: string; proposal: CheckedProposal; identity: ProposalIdentity; commit: string; flowId: string; tags: readonly string[]; at: Date }): AddTaskRequest & { title: string } {
  const { proposal } = input;
  const title = `[${input.repo}] ${proposal.title.replace(/^\s*(\[[^\]]*\]\s*)+/, '').replace(/\s+/g, ' ').trim()}`.slice(0, 500);
  const evidence = proposal.evidence.map((item) => {
    const place = item.line === null ? item.path : `${item.path}:${item.line}`;
    const mark = item.reason === null ? item.mark : `${item.mark}: ${item.reason}`;
    const quote = item.quote.trim().split('\n').slice(0, MAX_QUOTE_LINES).map((line) => `  > ${line}`).join('\n');
    return `- ${place} — ${mark}${quote === '' ? '' : `\n${quote}`}`;
  });
  const body = [
    proposal.body.trim() === '' ? proposal.title : proposal.body.trim(),
    `Evidence (checked against ${input.commit.slice(0, 12)}):\n${evidence.join('\n')}`,
    `Proposed by the scout on ${input.at.toISOString().slice(0, 10)} (flow ${input.flowId}). Approve it to let the director take it.`,
    markerLine(input.identity),
  ].join('\n\n');
  const tags = [...new Set([...input.tags, input.repo, ...proposal.tags.map((tag) => tag.toLowerCase().trim().replace(/\s+/g, '-'))])].filter((tag) => tag !== '').slice(0, 32);
  return { title, body: body.slice(0, 100_000), tags, priority: proposal.priority, proposed: true };
}
