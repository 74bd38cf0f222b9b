import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Finding } from './verdict.js';

/**
 * How a finding stands after its quote was looked for in the worktree:
 * - `verified`: the quote is in the file at `path`, near `line` (whitespace-normalised);
 * - `unverified`: it is not (no quote, no such file, elsewhere in the file, nowhere) — `reason` says which;
 * - `external_unverified`: unverified *and* it asks a human to change configuration outside the
 *   repository (environment variables, dashboards, DNS, CI secrets, cloud consoles…): the kind of
 *   confident, evidence-free advice that sends a person on an errand. Never acted on by a fix step.
 */
export type FindingMark = 'verified' | 'unverified' | 'external_unverified';

export interface CheckedFinding extends Finding {
  mark: FindingMark;
  /** Why it is not verified; null when it is. */
  reason: string | null;
  /** Where the quote was found (its first line), when it was. */
  foundAtLine: number | null;
  /** The claim asks for a change outside the repository (whatever the quote). */
  external: boolean;
}

/** A quote "near" its line starts within this many lines of it: models miscount by a few. */
export const NEAR_LINES = 10;

/** Files larger than this are not read: a quote from one cannot be checked. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Checks every finding's quote against the file at its path in the worktree.
 *
 * @example
 * const [f] = await checkFindings('/wt', [{ claim: 'off by one', path: 'src/a.ts', line: 3, quote: 'i <= n' }]);
 * f.mark // 'verified' when src/a.ts has "i <= n" starting within 10 lines of line 3
 */
export async function checkFindings(worktreePath: string, findings: readonly Finding[]): Promise<CheckedFinding[]> {
  const root = await realpath(worktreePath);
  return Promise.all(findings.map((finding) => checkFinding(root, finding)));
}

async function checkFinding(root: string, finding: Finding): Promise<CheckedFinding> {
  const external = asksForExternalChange(finding.claim);
  const located = await locateQuote(root, finding);
  const verified = located.foundAtLine !== null && located.reason === null;
  const mark: FindingMark = verified ? 'verified' : external ? 'external_unverified' : 'unverified';
  return { ...finding, mark, reason: located.reason, foundAtLine: located.foundAtLine, external };
}

async function locateQuote(root: string, finding: Finding): Promise<{ reason: string | null; foundAtLine: number | null }> {
  const quote = normalise(finding.quote ?? '');
  if (quote === '') return { reason: 'no quote to check', foundAtLine: null };
  if (finding.path === null) return { reason: 'no path to check the quote against', foundAtLine: null };
  const file = await insideWorktree(root, finding.path);
  if (file === null) return { reason: `${finding.path} is outside the worktree`, foundAtLine: null };
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) return { reason: `${finding.path} does not exist in the worktree`, foundAtLine: null };
  if (info.size > MAX_FILE_BYTES) return { reason: `${finding.path} is too large to check (${info.size} bytes)`, foundAtLine: null };
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  const starts = quoteStarts(lines, quote);
  if (starts.length === 0) return { reason: `the quote is not in ${finding.path}`, foundAtLine: null };
  if (finding.line === null) return { reason: null, foundAtLine: starts[0] ?? null };
  const near = starts.find((start) => Math.abs(start - finding.line!) <= NEAR_LINES);
  if (near !== undefined) return { reason: null, foundAtLine: near };
  const nearest = starts.reduce((best, start) => (Math.abs(start - finding.line!) < Math.abs(best - finding.line!) ? start : best));
  return { reason: `the quote is at line ${nearest} of ${finding.path}, not near line ${finding.line}`, foundAtLine: nearest };
}

/** The 1-based lines at which the (normalised) quote starts, the quote possibly running over several lines. */
function quoteStarts(lines: readonly string[], quote: string): number[] {
  const starts: number[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const first = normalise(lines[index] ?? '');
    if (first === '') continue;
    let text = first;
    for (let end = index + 1; text.length <= first.length + quote.length && end < lines.length; end += 1) text = normalise(`${text} ${lines[end] ?? ''}`);
    const at = text.indexOf(quote);
    if (at !== -1 && at < first.length) starts.push(index + 1);
  }
  return starts;
}

/** Runs of whitespace become one space, ends trimmed: indentation and wrapping never decide. */
export function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The file's real path when it is inside the worktree (symlinks followed), else null. */
async function insideWorktree(root: string, path: string): Promise<string | null> {
  const candidate = isAbsolute(path) ? path : resolve(root, path.replace(/^\.\//, ''));
  const real = await realpath(candidate).catch(() => candidate);
  const rel = relative(root, real);
  return rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) ? null : real;
}

/**
 * Claims that ask a human to change something outside the repository. A heuristic over the claim's
 * words, deliberately wide: it only matters for findings whose quote could not be verified.
 */
const EXTERNAL_PATTERNS: readonly RegExp[] = [
  /\benv(?:ironment)?[\s_-]*var(?:iable)?s?\b/i,
  /\b(?:[Ss]et|[Aa]dd|[Ee]xport|[Cc]hange|[Uu]pdate|[Cc]onfigure|[Rr]otate|[Dd]efine)\b[^.\n]{0,40}\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/,
  /\bdashboards?\b/i,
  /\bDNS\b|\bCNAME\b|\b(?:A|AAAA|TXT|MX) records?\b|\bnameservers?\b/i,
  /\b(?:CI|GitHub|repository|repo|Actions|pipeline|deploy(?:ment)?)\s+secrets?\b/i,
  /\bsecrets?\s+(?:manager|store|vault)\b|\bKey ?Vault\b|\bvault\b/i,
  /\b(?:cloud|AWS|GCP|Azure|Google Cloud|admin|management|developer|web)\s+console\b/i,
  /\b(?:AWS|GCP|Azure|Vercel|Netlify|Heroku|Cloudflare|Firebase|Supabase|Render|Fly\.io)\b[^.\n]{0,60}\b(?:settings|config(?:uration)?|project|account|panel|portal)\b/i,
  /\bIAM\b|\bservice account\b|\bsecurity groups?\b|\bfirewall rules?\b/i,
  /\b(?:API|access|deploy) (?:key|token)s?\b[^.\n]{0,40}\b(?:set|add|rotate|configure|create|regenerate)\b|\b(?:set|add|rotate|configure|create|regenerate)\b[^.\n]{0,40}\b(?:API|access|deploy) (?:key|token)s?\b/i,
  /\b(?:settings|admin) (?:page|panel|UI)\b/i,
];

export function asksForExternalChange(claim: string): boolean {
  return EXTERNAL_PATTERNS.some((pattern) => pattern.test(claim));
}
