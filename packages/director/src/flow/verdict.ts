import { z } from 'zod';

/**
 * A review step's verdict. `until: approved` reads `verdict` and nothing else: a review's prose,
 * however approving it sounds, never ends a loop.
 */
export const VERDICTS = ['approved', 'changes_requested'] as const;

export const FindingSchema = z.object({
  /** What is wrong, in one or two sentences. */
  claim: z.string().min(1),
  /** The file in the worktree the finding is about (relative to its root), or null when there is none. */
  path: z.string().min(1).nullable().default(null),
  /** The 1-based line the quote starts at, or null. */
  line: z.number().int().min(1).nullable().default(null),
  /** The file's text the claim rests on, copied exactly; checked against the worktree. */
  quote: z.string().nullable().default(null),
});
export type Finding = z.infer<typeof FindingSchema>;

export const VerdictSchema = z.object({
  verdict: z.enum(VERDICTS),
  findings: z.array(FindingSchema).default([]),
});
export type Verdict = z.infer<typeof VerdictSchema>;

/**
 * The JSON Schema a Claude review step is run with (`claude -p --json-schema`): every key required
 * (null where there is nothing to say), so the structured answer is complete or refused by the CLI.
 * Other agents are asked for the same object in a fenced ```json block.
 */
export const VERDICT_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['verdict', 'findings'],
  properties: {
    verdict: { type: 'string', enum: [...VERDICTS] },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['claim', 'path', 'line', 'quote'],
        properties: {
          claim: { type: 'string', minLength: 1 },
          path: { type: ['string', 'null'] },
          line: { type: ['integer', 'null'], minimum: 1 },
          quote: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;

export type VerdictParse =
  /** `prose`: what the answer says outside the verdict's block (empty for a whole-answer JSON). */
  | { ok: true; verdict: Verdict; from: 'json' | 'fenced_block'; prose: string }
  | { ok: false; reason: string };

/** Long answers are only searched in their tail: the verdict ends the answer. */
const MAX_ANSWER_CHARS = 200_000;

/**
 * The verdict in a review's final answer: the whole answer as JSON (Claude's `--json-schema`
 * result), else the last fenced ```json block that parses. Anything else — no answer, no JSON, JSON
 * of the wrong shape — is a failure with the reason, never an approval.
 *
 * @example
 * parseVerdict('Looks fine.\n```json\n{"verdict":"approved","findings":[]}\n```') // { ok: true, verdict: {...}, from: 'fenced_block' }
 */
export function parseVerdict(answer: string | undefined | null): VerdictParse {
  const text = (answer ?? '').slice(-MAX_ANSWER_CHARS).trim();
  if (text === '') return { ok: false, reason: 'the review gave no final answer, so there is no verdict' };
  const whole = tryJson(text);
  if (whole.parsed) return checked(whole.value, 'json', '');
  const blocks = fencedBlocks(text);
  for (const block of [...blocks].reverse()) {
    const candidate = tryJson(block.body);
    if (candidate.parsed) return checked(candidate.value, 'fenced_block', `${text.slice(0, block.start)}\n${text.slice(block.end)}`.trim());
  }
  return {
    ok: false,
    reason: blocks.length === 0 ? 'the final answer holds no verdict: neither JSON nor a fenced ```json block' : 'the final answer\'s fenced blocks hold no valid JSON, so there is no verdict',
  };
}

function checked(value: unknown, from: 'json' | 'fenced_block', prose: string): VerdictParse {
  const parsed = VerdictSchema.safeParse(value);
  if (parsed.success) return { ok: true, verdict: parsed.data, from, prose };
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`);
  return { ok: false, reason: `the verdict JSON does not match {verdict: approved|changes_requested, findings: [{claim, path, line, quote}]}: ${problems.join('; ')}` };
}

function tryJson(text: string): { parsed: true; value: unknown } | { parsed: false } {
  try {
    return { parsed: true, value: JSON.parse(text) as unknown };
  } catch {
    return { parsed: false };
  }
}

/** The fenced code blocks tagged `json` (or untagged), in order: body and where the block is. */
export function fencedBlocks(text: string): Array<{ body: string; start: number; end: number }> {
  const blocks: Array<{ body: string; start: number; end: number }> = [];
  const fence = /(^|\n)[ \t]*(`{3,}|~{3,})[ \t]*(json|JSON)?[ \t]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?=\n|$)/g;
  for (const match of text.matchAll(fence)) blocks.push({ body: match[4] ?? '', start: match.index, end: match.index + match[0].length });
  return blocks;
}
