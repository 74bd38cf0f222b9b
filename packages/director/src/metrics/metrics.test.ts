/**
 * `/metrics` from a real SQLite ledger, scraped over real HTTP on 127.0.0.1 and parsed as the
 * Prometheus text format: families with HELP and TYPE, labels, cumulative histogram buckets, tokens
 * and cost from the attempts' usage rows, the pause — and the same counters after a "restart" (a new
 * ledger connection and a new server), because everything is derived from the ledger.
 */
import { join } from 'node:path';
import { makeTempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import type { Ledger } from '../ledger/ledger.js';
import { savePauseState } from '../ledger/director-state.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { EXPOSITION_CONTENT_TYPE, formatExposition } from './exposition.js';
import { recordJobUsage } from './job-usage.js';
import { DURATION_BUCKETS, ledgerMetricsText } from './ledger-metrics.js';
import { startMetricsServer } from './metrics-server.js';
import { parseExposition, type ParsedExposition } from '../test-support/parse-exposition.js';

function value(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): number | undefined {
  return parsed.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;
}

/** Real ledger traffic: a ticket that failed on infrastructure, then the task, then succeeded with a PR; one open, one given up. */
async function fillLedger(ledger: Ledger): Promise<void> {
  const claim = async (n: number) => {
    const result = await ledger.claimBatch({ repo: 'api', branch: `flotilla/t/github-t-${n}`, owner: 'd', leaseMs: 60_000, tickets: [{ key: `github:t#${n}`, source: 'github', ticketId: `t#${n}`, title: `ticket ${n}` }] });
    if (!result.claimed) throw new Error('not claimed');
    return result.batch;
  };
  const one = await claim(1);
  const usage = (input: number, usd: number) => ({ usage: { inputTokens: input, outputTokens: 10, cacheReadTokens: 5, cacheWriteTokens: 1 }, cost: { usd, source: 'agent' as const } });
  let attempt = await ledger.startAttempt(one.id, 'sonnet', 'd');
  await recordJobUsage(ledger, { batchId: one.id, number: attempt.number, repo: 'api', model: 'sonnet' }, { raw: { ok: false, ...usage(100, 0.25) }, jobId: 'j1', lookup: null });
  await ledger.endAttempt(attempt.id, { outcome: 'failed', kind: 'rate_limited', message: 'limit' }, 3);
  attempt = await ledger.startAttempt(one.id, 'sonnet', 'd');
  await recordJobUsage(ledger, { batchId: one.id, number: attempt.number, repo: 'api', model: 'sonnet' }, { raw: { ok: false }, jobId: 'j2', lookup: async () => usage(200, 0.5) });
  await ledger.endAttempt(attempt.id, { outcome: 'failed', kind: 'task', message: 'tests fail' }, 3);
  attempt = await ledger.startAttempt(one.id, 'opus', 'd');
  await ledger.endAttempt(attempt.id, { outcome: 'succeeded' }, 3);
  await ledger.setStage(one.id, 'worked');
  await ledger.intendPullRequest(one.id, { owner: 'd', leaseMs: 60_000, repo: 'acme/api', head: one.branch, base: 'main' });
  await ledger.recordPullRequest(one.id, { number: 7, url: 'https://github.test/acme/api/pull/7', adopted: false });
  await ledger.closeBatch(one.id, 'pull_request', 'https://github.test/acme/api/pull/7');
  const two = await claim(2);
  await ledger.startAttempt(two.id, 'sonnet', 'd');
  const three = await claim(3);
  attempt = await ledger.startAttempt(three.id, 'sonnet', 'd');
  await ledger.endAttempt(attempt.id, { outcome: 'failed', kind: 'task', message: 'no' }, 1);
  await savePauseState(ledger, { pause: { until: Date.now() + 600_000, reason: 'storm', startedAt: Date.now() }, backoffMs: 300_000 });
}

describe('/metrics', () => {
  it('should serve the ledger as Prometheus text on 127.0.0.1, and the same counters after a restart', async () => {
    await using tmp = await makeTempDir('director-metrics-');
    const path = join(tmp.path, 'ledger.db');
    const ledger = openSqliteLedger(path);
    await fillLedger(ledger);
    const server = await startMetricsServer({ port: 0, render: () => ledgerMetricsText(path) });
    let first: string;
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(EXPOSITION_CONTENT_TYPE);
      first = await res.text();
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
    const parsed = parseExposition(first);
    const families = ['tickets_processed_total', 'tickets_open', 'attempts_total', 'failures_total', 'job_duration_seconds', 'tokens_total', 'cost_usd_total', 'batches', 'batches_closed_total', 'pull_requests_total', 'paused', 'pause_until_seconds'].map((n) => `flotilla_director_${n}`);
    for (const name of families) expect(parsed.help.get(name), name).toBeTruthy();
    expect(Object.fromEntries(families.map((n) => [n, parsed.type.get(n)]))).toEqual(
      Object.fromEntries(families.map((n) => [n, n.endsWith('_total') ? 'counter' : n.endsWith('_seconds') && !n.includes('until') ? 'histogram' : 'gauge'])),
    );
    const d = 'flotilla_director_';
    expect(value(parsed, `${d}tickets_processed_total`, { status: 'in_review' })).toBe(1);
    expect(value(parsed, `${d}tickets_processed_total`, { status: 'given_up' })).toBe(1);
    expect(value(parsed, `${d}tickets_open`)).toBe(1);
    expect(value(parsed, `${d}attempts_total`, { repo: 'api', model: 'sonnet', outcome: 'failed' })).toBe(3);
    expect(value(parsed, `${d}attempts_total`, { repo: 'api', model: 'opus', outcome: 'succeeded' })).toBe(1);
    expect(value(parsed, `${d}attempts_total`, { repo: 'api', model: 'sonnet', outcome: 'running' })).toBe(1);
    expect(value(parsed, `${d}failures_total`, { repo: 'api', kind: 'rate_limited', burned: 'false' })).toBe(1);
    expect(value(parsed, `${d}failures_total`, { repo: 'api', kind: 'task', burned: 'true' })).toBe(2);
    // Histogram: cumulative buckets ending in +Inf = _count, one series per repo and outcome.
    const buckets = parsed.samples.filter((s) => s.name === `${d}job_duration_seconds_bucket` && s.labels.outcome === 'failed');
    expect(buckets.map((b) => b.labels.le)).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
    expect(buckets.map((b) => b.value)).toEqual(buckets.map(() => 3));
    expect(value(parsed, `${d}job_duration_seconds_count`, { repo: 'api', outcome: 'failed' })).toBe(3);
    expect(value(parsed, `${d}job_duration_seconds_sum`, { repo: 'api', outcome: 'failed' })).toBeGreaterThanOrEqual(0);
    expect(value(parsed, `${d}tokens_total`, { repo: 'api', model: 'sonnet', type: 'input' })).toBe(300);
    expect(value(parsed, `${d}tokens_total`, { repo: 'api', model: 'sonnet', type: 'cache_write' })).toBe(2);
    expect(value(parsed, `${d}cost_usd_total`, { repo: 'api', model: 'sonnet' })).toBe(0.75);
    expect(value(parsed, `${d}batches`, { repo: 'api', stage: 'claimed' })).toBe(1);
    expect(value(parsed, `${d}batches_closed_total`, { repo: 'api', outcome: 'pull_request' })).toBe(1);
    expect(value(parsed, `${d}batches_closed_total`, { repo: 'api', outcome: 'given_up' })).toBe(1);
    expect(value(parsed, `${d}pull_requests_total`, { repo: 'acme/api', how: 'created' })).toBe(1);
    expect(value(parsed, `${d}paused`)).toBe(1);
    expect(value(parsed, `${d}pause_until_seconds`)).toBeGreaterThan(Date.now() / 1000);
    await ledger.close();

    // A restart: nothing in memory, the same ledger file → the same document.
    const again = await startMetricsServer({ port: 0, render: () => ledgerMetricsText(path) });
    try {
      expect(await (await fetch(again.url)).text()).toBe(first);
    } finally {
      await again.close();
    }
  });

  it('should escape label values and help text, and refuse names the format does not allow', () => {
    const text = formatExposition([{ name: 'x_total', help: 'a\\b\nc', type: 'counter', samples: [{ labels: { kind: 'say "hi"\\\n' }, value: 2 }] }]);
    expect(text).toBe('# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\nx_total{kind="say \\"hi\\"\\\\\\n"} 2\n');
    expect(parseExposition(text).samples).toEqual([{ name: 'x_total', labels: { kind: 'say "hi"\\\n' }, value: 2 }]);
    expect(() => formatExposition([{ name: 'bad-name', help: 'h', type: 'gauge', samples: [] }])).toThrow('not a metric name');
  });
});
