import type { FailureKind } from '@flotilla/protocol';

/**
 * Error-text rules, in priority order, built from the exact messages in agent-clis.md §4 and §7.
 * Order matters: Codex's `insufficient_quota` is an HTTP 429 but says "Quota exceeded" (billing),
 * and a context overflow can mention a status code.
 */
const TEXT_RULES: ReadonlyArray<readonly [FailureKind, RegExp]> = [
  ['context_overflow', /prompt is too long|context window|context[_ ]length|maximum context|input is too long/i],
  ['billing', /credit balance is too low|quota exceeded|insufficient[_ ]quota|billing/i],
  ['rate_limited', /\b429\b|rate[_ -]?limit|too many requests|hit your limit|usage limit/i],
  [
    'auth_failed',
    /\b401\b|\b403\b|unauthori[sz]ed|authenticat|invalid api key|invalid_api_key|not logged in|please run \/login|forbidden/i,
  ],
  ['model_not_found', /model_not_found|issue with the selected model|model .{0,80}(?:does not exist|not found)|\b404\b/i],
  ['overloaded', /high demand|at capacity|overloaded|server[_ -]error|internal server/i],
  ['overloaded', /\b5\d\d\s+(?:internal|bad gateway|service unavailable|gateway timeout|overloaded)|status:?\s*5\d\d\b/i],
  ['overloaded', /unable to connect|connection (?:refused|reset|error)|econnrefused|econnreset|request timed out/i],
  ['overloaded', /idle timeout|stream disconnected|reconnecting/i],
];

/**
 * The failure kind an agent's error text names, or null when it names none.
 * Codex's harmless "Model metadata for `x` not found" must be filtered out before calling this.
 */
export function classifyFailureText(text: string): FailureKind | null {
  for (const [kind, pattern] of TEXT_RULES) {
    if (pattern.test(text)) return kind;
  }
  return null;
}

/** HTTP status mentioned in an error text (`status 401`, `(429)`, `API Error: 500`), or null. */
export function statusFromText(text: string): number | null {
  const match = /(?:status:?\s*|\(|API Error:\s*)([45]\d\d)\b/i.exec(text);
  return match?.[1] ? Number(match[1]) : null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Claude's subscription limit text: `You've hit your limit · resets Mar 17, 2030, 5:46pm (UTC)`.
 * Only UTC times are understood; anything else returns null (the rate_limit_event is preferred anyway).
 */
export function resetFromText(text: string): string | null {
  const match = /resets\s+([A-Za-z]{3})\w*\s+(\d{1,2}),?\s+(\d{4}),?\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)\s*\(UTC\)/i.exec(text);
  if (!match) return null;
  const [, mon = '', day = '', year = '', hour = '', minute = '0', meridiem = ''] = match;
  const month = MONTHS.indexOf(mon.toLowerCase());
  if (month < 0) return null;
  const hours = (Number(hour) % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0);
  const date = new Date(Date.UTC(Number(year), month, Number(day), hours, Number(minute)));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
