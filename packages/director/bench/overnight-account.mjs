/**
 * The overnight run's honest account: per ticket what became of it (pull request, given up, still
 * open), every attempt with its model and failure kind and whether it burned one, the scripted task
 * failures beside the burned attempts, the infrastructure failures that burned nothing, the pauses
 * and why — and the invariants, each violation named. Pure: it reads what the run collected.
 */
import { kindOf, scriptedFailuresOf } from './overnight-scenario.mjs';

const FREE_KINDS = new Set(['rate_limited', 'auth_failed', 'billing', 'model_not_found', 'overloaded', 'crashed', 'interrupted', 'fast_fail']);

/**
 * @param {object} run
 * @param {Array<{name: string, number: number, key: string, addedAt: number}>} run.tickets
 * @param {import('../src/ledger/ledger.ts').LedgerOverview} run.ledger
 * @param {Array<{number: number, head: string}>} run.pulls
 * @param {Array<{idempotencyKey: string|null, tags: string[], status: string, failure: {kind: string}|null}>} run.jobs
 * @param {Array<import('../src/cycle/report.ts').CycleReport>} run.reports
 * @param {(ticket: string) => number} run.scriptedFailures
 * @param {string[]} run.ladder
 * @param {number} run.maxAttempts
 */
export function accountFor(run) {
  const violations = [];
  const batches = [...run.ledger.open, ...run.ledger.closed];
  const batchOf = (key) => batches.find((b) => b.tickets.some((t) => t.key === key)) ?? null;
  const pullsByHead = new Map();
  for (const pull of run.pulls) {
    if (pullsByHead.has(pull.head)) violations.push(`two pull requests for ${pull.head}: #${pullsByHead.get(pull.head).number} and #${pull.number}`);
    pullsByHead.set(pull.head, pull);
  }
  const jobsByKey = new Map();
  for (const job of run.jobs) {
    if (job.idempotencyKey === null) continue;
    if (jobsByKey.has(job.idempotencyKey)) violations.push(`two cb jobs under one attempt key ${job.idempotencyKey}`);
    jobsByKey.set(job.idempotencyKey, job);
  }
  const rows = run.tickets.map((ticket) => ticketRow(ticket, batchOf(ticket.key), { pullsByHead, jobsByKey, run, violations }));
  const ticketBranches = new Set(rows.map((row) => row.branch).filter(Boolean));
  for (const pull of run.pulls) if (!ticketBranches.has(pull.head)) violations.push(`pull request #${pull.number} (${pull.head}) belongs to no ticket`);
  const pauses = pausesOf(run.reports, violations);
  return { rows, pauses, violations, infra: infraCounts(batches), preflight: preflightRefusals(run.reports) };
}

function ticketRow(ticket, batch, ctx) {
  const { run, violations } = ctx;
  const kind = kindOf(ticket.name);
  const ledgerTicket = batch?.tickets.find((t) => t.key === ticket.key) ?? null;
  const attempts = batch?.attempts ?? [];
  const burned = attempts.filter((a) => a.burned).length;
  const scripted = run.scriptedFailures(ticket.name);
  const pull = batch === null ? undefined : ctx.pullsByHead.get(batch.branch);
  const status = ledgerTicket?.status ?? 'not started';
  const say = (what) => violations.push(`${ticket.name} (${ticket.key}): ${what}`);
  for (const attempt of attempts) {
    if (attempt.failureKind !== null && FREE_KINDS.has(attempt.failureKind) && attempt.burned) say(`attempt ${attempt.number} burned one on infrastructure (${attempt.failureKind})`);
  }
  checkLadder(attempts, run.ladder, say);
  // cb's own classification of this batch's jobs: only its task failures may be charged.
  const taskFailedJobs = attempts.filter((a) => ctx.jobsByKey.get(`${batch.id}:${a.number}`)?.failure?.kind === 'task').length;
  if (burned !== taskFailedJobs) say(`${burned} attempts burned, but cb classified ${taskFailedJobs} of its jobs as task failures`);
  if (burned > scripted) say(`${burned} attempts burned, more than the ${scripted} task failures the script gave it`);
  if (status === 'in_review') {
    if (pull === undefined) say('in review without a pull request');
    else if (ledgerTicket.link !== null && !ledgerTicket.link.endsWith(`/${pull.number}`)) say(`the ledger links ${ledgerTicket.link}, the pull request is #${pull.number}`);
    if (kind !== 'doomed' && burned !== scripted) say(`passed after ${burned} burned attempts, but the script failed it ${scripted} times`);
  } else if (pull !== undefined) say(`has pull request #${pull.number} but is ${status}`);
  if (kind === 'doomed' && status !== 'given_up' && status !== 'not started' && burned >= run.maxAttempts) say(`failed ${burned} times and is ${status}, not given up`);
  if (kind === 'doomed' && status === 'given_up' && burned !== run.maxAttempts) say(`given up after ${burned} burned attempts, not ${run.maxAttempts}`);
  if (kind === 'doomed' && status === 'in_review') say('a ticket that always fails got a pull request');
  const done = status === 'in_review' || status === 'given_up';
  return {
    name: ticket.name,
    key: ticket.key,
    kind,
    status,
    done,
    branch: batch?.branch ?? null,
    pull: pull?.number ?? null,
    burned,
    scripted: Number.isFinite(scriptedFailuresOf(kind)) ? scripted : `${scripted} (always)`,
    note: ledgerTicket?.note ?? null,
    attempts: attempts.map((a) => `${a.number}:${a.model}${a.failureKind ? `/${a.failureKind}${a.burned ? '*' : ''}` : a.outcome === 'succeeded' ? '/ok' : '/running'}`),
    addedAt: ticket.addedAt,
  };
}

/** Attempt n runs on ladder[min(task failures before it, last)]. */
function checkLadder(attempts, ladder, say) {
  let failed = 0;
  for (const attempt of [...attempts].sort((a, b) => a.number - b.number)) {
    const expected = ladder[Math.min(failed, ladder.length - 1)];
    if (attempt.model !== expected) say(`attempt ${attempt.number} ran on ${attempt.model}, the ladder says ${expected} after ${failed} task failures`);
    if (attempt.burned) failed += 1;
  }
}

function pausesOf(reports, violations) {
  const started = reports.filter((r) => r.pause?.started).map((r) => ({ at: r.endedAt, until: r.pause.until, reason: r.pause.reason }));
  for (const report of reports) {
    if (report.pause !== null && !report.pause.started && report.batches.length > 0) violations.push(`a paused cycle at ${report.startedAt} dispatched ${report.batches.length} batches`);
  }
  return started;
}

/** Cycles whose pre-flight stopped dispatch, by what the host's doctor (or pause) said. */
function preflightRefusals(reports) {
  const counts = new Map();
  for (const report of reports) {
    for (const host of report.preflight ?? []) {
      if (host.ok) continue;
      const reason = host.detail.length > 140 ? `${host.detail.slice(0, 140)}…` : host.detail;
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
  }
  return [...counts.entries()].map(([reason, cycles]) => ({ reason, cycles }));
}

function infraCounts(batches) {
  const counts = {};
  for (const attempt of batches.flatMap((b) => b.attempts)) {
    if (attempt.failureKind === null) continue;
    const entry = (counts[attempt.failureKind] ??= { runs: 0, burned: 0 });
    entry.runs += 1;
    if (attempt.burned) entry.burned += 1;
  }
  return counts;
}

/** The account in lines a person reads. */
export function formatAccount(account, facts) {
  const lines = [];
  const { rows } = account;
  const count = (predicate) => rows.filter(predicate).length;
  lines.push(`overnight run: ${facts.minutes} min planned, ${Math.round(facts.wallMs / 1000)} s wall; ${rows.length} tickets, ${facts.pulls} pull requests, ${facts.modelRequests} model requests, ${facts.cycles} cycles`);
  lines.push(`events: ${facts.events.join('; ')}`);
  lines.push(`tickets: ${count((r) => r.status === 'in_review')} in review with a PR, ${count((r) => r.status === 'given_up')} given up, ${count((r) => !r.done)} not finished`);
  lines.push('failures by kind (runs / burned an attempt):');
  for (const [kind, entry] of Object.entries(account.infra).sort()) lines.push(`  ${kind}: ${entry.runs} / ${entry.burned}`);
  lines.push(`pauses said by the director: ${account.pauses.length}`);
  for (const pause of account.pauses) lines.push(`  at ${pause.at} until ${pause.until}: ${pause.reason}`);
  lines.push(`pauses said by cb (pause.started): ${facts.cbPauses.length}`);
  for (const pause of facts.cbPauses) lines.push(`  ${pause.agent} from ${pause.startedAt} until ${pause.resetsAt}: ${pause.reason}: ${pause.message}`);
  lines.push(`cycles whose pre-flight stopped dispatch: ${account.preflight.reduce((sum, entry) => sum + entry.cycles, 0)}`);
  for (const entry of account.preflight) lines.push(`  ${entry.cycles} × ${entry.reason}`);
  lines.push('per ticket (attempt:model/kind, * = burned):');
  for (const row of rows) {
    const outcome = row.status === 'in_review' ? `PR #${row.pull}` : row.status;
    lines.push(`  ${row.name.padEnd(10)} ${outcome.padEnd(12)} burned ${row.burned} (scripted ${row.scripted}) ${row.attempts.join(' ')}${row.status === 'given_up' ? ` — ${row.note}` : ''}`);
  }
  lines.push(account.violations.length === 0 ? 'invariants: all hold' : `invariants VIOLATED (${account.violations.length}):`);
  for (const violation of account.violations) lines.push(`  - ${violation}`);
  return lines;
}
