import { describe, expect, it } from 'vitest';
import { FindingSchema, parseVerdict, VERDICT_JSON_SCHEMA, VERDICTS } from './verdict.js';

const finding = { claim: 'off by one', path: 'src/a.ts', line: 3, quote: 'i <= n' };

describe('parseVerdict', () => {
  it('should read a whole-answer JSON verdict (Claude --json-schema) and a last fenced json block (other agents)', () => {
    expect(parseVerdict(JSON.stringify({ verdict: 'approved', findings: [] }))).toEqual({ ok: true, from: 'json', prose: '', verdict: { verdict: 'approved', findings: [] } });
    const answer = 'First try:\n```json\n{"verdict": "approved", "findings": []}\n```\nOn second thought:\n```json\n' + JSON.stringify({ verdict: 'changes_requested', findings: [finding] }) + '\n```\n';
    expect(parseVerdict(answer)).toEqual({ ok: true, from: 'fenced_block', prose: 'First try:\n```json\n{"verdict": "approved", "findings": []}\n```\nOn second thought:', verdict: { verdict: 'changes_requested', findings: [finding] } });
    expect(parseVerdict('```\n{"verdict":"approved"}\n```')).toMatchObject({ ok: true, verdict: { verdict: 'approved', findings: [] } });
  });

  it('should fill a finding without place or quote with nulls (so it can only be unverified)', () => {
    expect(parseVerdict('{"verdict":"changes_requested","findings":[{"claim":"rotate the API key"}]}')).toMatchObject({
      ok: true,
      verdict: { findings: [{ claim: 'rotate the API key', path: null, line: null, quote: null }] },
    });
  });

  it('should never read prose, an empty answer or a wrong shape as a verdict', () => {
    expect(parseVerdict('Approved. LGTM!')).toEqual({ ok: false, reason: 'the final answer holds no verdict: neither JSON nor a fenced ```json block' });
    expect(parseVerdict('')).toEqual({ ok: false, reason: 'the review gave no final answer, so there is no verdict' });
    expect(parseVerdict(undefined)).toMatchObject({ ok: false });
    expect(parseVerdict('```json\n{verdict: approved}\n```')).toEqual({ ok: false, reason: "the final answer's fenced blocks hold no valid JSON, so there is no verdict" });
    const wrong = parseVerdict('{"verdict":"lgtm","findings":[{"path":"a.ts"}]}');
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.reason).toMatch(/^the verdict JSON does not match .*: verdict: Invalid option.*; findings\.0\.claim: /);
    expect(parseVerdict('```ts\nconst verdict = "approved";\n```')).toMatchObject({ ok: false });
  });

  it('should give Claude a JSON Schema with the same verdicts and every finding key required', () => {
    expect(VERDICT_JSON_SCHEMA.properties.verdict.enum).toEqual([...VERDICTS]);
    expect([...VERDICT_JSON_SCHEMA.properties.findings.items.required].sort()).toEqual(Object.keys(FindingSchema.shape).sort());
    expect(VERDICT_JSON_SCHEMA.required).toEqual(['verdict', 'findings']);
  });
});
