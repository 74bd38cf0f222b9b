import { TaskPrioritySchema, TASK_PRIORITIES } from '@flotilla/protocol';
import { z } from 'zod';
import { checkFindings, normalise, type FindingMark } from '../flow/quote-check.js';
import { fencedBlocks } from '../flow/verdict.js';
import type { CommandEvidence } from './evidence.js';

/**
 * The scout step's answer: `{proposals: [{title, body, tags, priority, evidence: [{path, line, quote}]}]}`.
 * Claude answers with it through `--json-schema`; other agents in a fenced ```json block (the last
 * that parses). A wrong shape is an error in words, never "no proposals".
 */
export const ProposalEvidenceSchema = z.object({
  /** A file in the repo (relative to its root), or `command:NAME` for a gatherer's output. */
  path: z.string().min(1),
  /** The 1-based line the quote starts at (null for command output). */
  line: z.number().int().min(1).nullable().default(null),
  /** Copied exactly from the file or the output; checked before anything reaches the board. */
  quote: z.string(),
});

export const ProposalSchema = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().default(''),
  tags: z.array(z.string().trim().min(1).max(64)).max(8).default([]),
  priority: TaskPrioritySchema.default('normal'),
  evidence: z.array(ProposalEvidenceSchema).max(20).default([]),
});
export type Proposal = z.infer<typeof ProposalSchema>;

export const ProposalsSchema = z.object({ proposals: z.array(ProposalSchema).max(50) });

/** For `claude -p --json-schema`: every key required, so the structured answer is complete. */
export const PROPOSALS_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['proposals'],
  properties: {
    proposals: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'body', 'tags', 'priority', 'evidence'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 200 },
          body: { type: 'string' },
          tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 8 },
          priority: { type: 'string', enum: [...TASK_PRIORITIES] },
          evidence: {
            type: 'array',
            minItems: 1,
            maxItems: 20,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['path', 'line', 'quote'],
              properties: { path: { type: 'string', minLength: 1 }, line: { type: ['integer', 'null'], minimum: 1 }, quote: { type: 'string', minLength: 1 } },
            },
          },
        },
      },
    },
  },
} as const;

export type ProposalsParse = { ok: true; proposals: Proposal[]; from: 'json' | 'fenced_block' } | { ok: false; reason: string };

const SHAPE = '{proposals: [{title, body, tags, priority: high|normal|low, evidence: [{path, line, quote}]}]}';

/**
 * The proposals in the scout's final answer: the whole answer as JSON, else the last fenced block
 * that parses as JSON.
 *
 * @example
 * parseProposals('```json\n{"proposals": []}\n```') // { ok: true, proposals: [], from: 'fenced_block' }
 */
export function parseProposals(answer: string | null | undefined): ProposalsParse {
  const text = (answer ?? '').slice(-200_000).trim();
  if (text === '') return { ok: false, reason: 'the scout gave no final answer, so there are no proposals' };
  const whole = tryJson(text);
  if (whole.parsed) return checked(whole.value, 'json');
  const blocks = fencedBlocks(text);
  for (const block of [...blocks].reverse()) {
    const candidate = tryJson(block.body);
    if (candidate.parsed) return checked(candidate.value, 'fenced_block');
  }
  return {
    ok: false,
    reason: blocks.length === 0 ? `the scout's final answer holds no proposals: neither JSON nor a fenced \`\`\`json block (expected ${SHAPE})` : `the scout's final answer has fenced blocks but none holds valid JSON (expected ${SHAPE})`,
  };
}

function checked(value: unknown, from: 'json' | 'fenced_block'): ProposalsParse {
  const parsed = ProposalsSchema.safeParse(value);
  if (parsed.success) return { ok: true, proposals: parsed.data.proposals, from };
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`);
  return { ok: false, reason: `the scout's JSON does not match ${SHAPE}: ${problems.join('; ')}` };
}

function tryJson(text: string): { parsed: true; value: unknown } | { parsed: false } {
  try {
    return { parsed: true, value: JSON.parse(text) as unknown };
  } catch {
    return { parsed: false };
  }
}

export interface CheckedEvidence {
  path: string;
  line: number | null;
  quote: string;
  mark: FindingMark;
  /** Why it is not verified; null when it is. */
  reason: string | null;
}

export interface CheckedProposal extends Proposal {
  evidence: CheckedEvidence[];
  /** At least one quote checked out: only such proposals reach the board. */
  verified: boolean;
}

/** The `path` of a quote from a gatherer's output: `command:tests`. */
const COMMAND_PATH = /^command:([a-z][a-z0-9_-]*)$/;

/**
 * Checks every evidence quote: a file's against the worktree (near its line, as review findings are —
 * `quote-check.ts`), a `command:NAME` quote against the output that gatherer printed. A proposal is
 * `verified` when at least one of its quotes checks out; the others keep their mark and reason.
 */
export async function checkProposals(worktreePath: string, proposals: readonly Proposal[], commands: readonly CommandEvidence[]): Promise<CheckedProposal[]> {
  return Promise.all(
    proposals.map(async (proposal): Promise<CheckedProposal> => {
      const evidence = await Promise.all(proposal.evidence.map((item) => checkEvidence(worktreePath, proposal.title, item, commands)));
      return { ...proposal, evidence, verified: evidence.some((item) => item.mark === 'verified') };
    }),
  );
}

async function checkEvidence(worktreePath: string, title: string, item: Proposal['evidence'][number], commands: readonly CommandEvidence[]): Promise<CheckedEvidence> {
  const commandName = COMMAND_PATH.exec(item.path)?.[1];
  if (commandName !== undefined) {
    const ran = commands.find((c) => c.name === commandName);
    const quote = normalise(item.quote);
    const reason = ran === undefined ? `no command named ${commandName} ran` : quote === '' ? 'no quote to check' : normalise(ran.tail).includes(quote) ? null : `the quote is not in the output of \`${ran.command}\``;
    return { ...item, mark: reason === null ? 'verified' : 'unverified', reason };
  }
  const [finding] = await checkFindings(worktreePath, [{ claim: title, path: item.path, line: item.line, quote: item.quote }]);
  return { ...item, mark: finding!.mark, reason: finding!.reason };
}
