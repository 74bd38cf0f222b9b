import { renderEvidence, type Evidence } from './evidence.js';
import { PROPOSALS_JSON_SCHEMA } from './proposals.js';

/** The built-in scout step's role, when `scout.prompt` does not give one. */
export const SCOUT_ROLE = `You are the scout of a fleet of coding agents. The fleet is idle; your job is to find work worth doing in this repository and propose it as tasks a person approves before anything runs. You change nothing: read, search and run read-only commands only.

Look at the evidence below first: failing tests, lint debt, outdated dependencies, clusters of TODO/FIXME comments. Open the files it names to understand each problem. Propose only work that is concrete, worth an agent's hour or less each, and proven by the code: every proposal cites the lines it rests on. Group related hits (one task for a cluster of TODOs in one module, one for a set of failing tests with one cause). Do not propose changes outside the repository (CI secrets, dashboards, cloud settings).`;

/** The task every step of the scout's flow gets: the repo, what was gathered, and what is wanted. */
export function scoutTask(input: { repo: string; base: string; commit: string; evidence: Evidence; maxProposals: number }): string {
  return [
    `Find up to ${input.maxProposals} tasks worth doing in the repository "${input.repo}" (branch ${input.base}, commit ${input.commit.slice(0, 12)}), with the evidence for each.`,
    `## Evidence gathered in this worktree\n\n${renderEvidence(input.evidence)}`,
  ].join('\n\n');
}

/** Added to the prompt of the step whose final answer holds the proposals. */
export function proposalInstructions(maxProposals: number): string {
  return `## Your answer

End your answer with your proposals as one JSON object — alone, or in a fenced \`\`\`json block as the last thing you write. At most ${maxProposals}; none (\`{"proposals": []}\`) is a fine answer when nothing is worth doing.

\`\`\`json
{"proposals": [{"title": "Fix the failing sum() test", "body": "What is wrong, why it matters, and what done looks like.", "tags": ["tests"], "priority": "normal", "evidence": [{"path": "src/sum.test.js", "line": 4, "quote": "expect(sum(1, 2)).toBe(3);"}, {"path": "command:tests", "line": null, "quote": "FAIL src/sum.test.js"}]}]}
\`\`\`

- \`title\`: one line, the task as a person would write it (no \`[repo]\` prefix: it is added).
- \`body\`: what to do and how to tell it is done, in a few sentences.
- \`priority\`: \`high\` (broken: failing tests, a build error), \`normal\`, or \`low\` (cleanup).
- \`evidence\`: every item quotes text exactly as it is — a file's lines (path relative to the repository root, 1-based \`line\` where the quote starts), or a command's output above (\`path\` \`command:NAME\`, \`line\` null). Each quote is checked; a proposal none of whose quotes checks out is dropped.

The JSON Schema of the answer: ${JSON.stringify(PROPOSALS_JSON_SCHEMA)}`;
}
