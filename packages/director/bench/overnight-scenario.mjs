/**
 * The overnight run's script: which tickets arrive when, what kind each is, and what the fake model
 * answers each request — by the ticket's kind (its marker `ticket:<kind>-<n>`), the CLI run it belongs
 * to (Claude Code's session id) and the clock's window (a rate-limit storm, an auth failure, overload).
 *
 * Kinds: `ok` (writes its file), `flaky1` / `flaky2` (their first one or two runs end in a task
 * failure, then they pass), `doomed` (every run fails: must be given up after 3 attempts), `dup`
 * (an ok ticket whose issue is re-labelled, edited and commented on again and again).
 */

/** The order new tickets' kinds come in (the first six arrive at once). */
export const KIND_ROTATION = ['ok', 'flaky1', 'ok', 'dup', 'flaky2', 'ok', 'ok', 'dup', 'flaky1', 'ok'];
export const FIRST_TICKETS = ['ok', 'flaky1', 'flaky2', 'doomed', 'dup', 'ok'];

/** Task failures scripted per kind (`doomed`: every run). */
export function scriptedFailuresOf(kind) {
  if (kind === 'flaky1') return 1;
  if (kind === 'flaky2') return 2;
  if (kind === 'doomed') return Number.POSITIVE_INFINITY;
  return 0;
}

export function kindOf(ticket) {
  return /^([a-z]+\d?)-\d+$/.exec(ticket ?? '')?.[1] ?? 'unknown';
}

/**
 * The run's timeline, in epoch ms, from its start and length: each window is [from, to).
 * @param {number} start
 * @param {number} totalMs
 */
export function planTimeline(start, totalMs) {
  const at = (fraction) => start + Math.round(totalMs * fraction);
  const span = (fraction, minMs) => Math.max(minMs, Math.round(totalMs * fraction));
  const storm = { from: at(0.2), to: at(0.2) + span(0.08, 45_000) };
  const auth = { from: at(0.5), to: at(0.5) + span(0.04, 40_000) };
  const overload = { from: at(0.66), to: at(0.66) + span(0.02, 20_000) };
  return {
    start,
    end: start + totalMs,
    storm,
    auth,
    overload,
    killDirectorAt: at(0.4),
    restartDaemonAt: at(0.8),
    stopFeedingAt: at(0.7),
  };
}

/**
 * The fake Anthropic's decision per request, and the record of scripted task failures per ticket.
 * @param {ReturnType<typeof planTimeline>} timeline
 * @param {typeof import('../src/test-support/claude-fleet-model.ts')} model
 */
export function createOvernightModel(timeline, model) {
  /** @type {Map<string, Set<string>>} ticket → the CLI runs it was scripted to fail */
  const failingRuns = new Map();
  const inWindow = (window, at) => at >= window.from && at < window.to;
  const decide = (request) => {
    const ticket = request.ticket;
    const failing = ticket === null ? undefined : failingRuns.get(ticket);
    // A run scripted to fail stays failing whatever the clock says: its failure is the ticket's own.
    if (failing !== undefined && request.session !== null && failing.has(request.session)) return model.outputCutOff();
    if (inWindow(timeline.storm, request.at)) return model.rateLimited(timeline.storm.to);
    if (inWindow(timeline.auth, request.at)) return model.authFailed();
    if (inWindow(timeline.overload, request.at)) return model.overloaded();
    if (request.afterTool || ticket === null) return model.finalText(ticket === null ? 'OK' : undefined);
    const runs = failing ?? new Set();
    if (request.session !== null && runs.size < scriptedFailuresOf(kindOf(ticket))) {
      runs.add(request.session);
      failingRuns.set(ticket, runs);
      return model.outputCutOff();
    }
    return model.writeTicketFile(ticket);
  };
  return { decide, scriptedFailures: (ticket) => failingRuns.get(ticket)?.size ?? 0 };
}

/**
 * A human touching a `dup` ticket's issue again: label off and on, the body edited, a comment,
 * and (once it is in review) the review label taken off — each is a new trigger for the director.
 */
export function touchIssue(issue, round) {
  const actions = [
    () => (issue.labels = issue.labels.filter((label) => label !== 'agent')),
    () => !issue.labels.includes('agent') && issue.labels.push('agent'),
    () => (issue.body = `${issue.body.replace(/ \(edited \d+\)$/, '')} (edited ${round})`),
    () => issue.comments.push({ id: 900_000 + round, body: `bump ${round}`, login: 'human', created_at: new Date().toISOString() }),
    () => (issue.labels = issue.labels.filter((label) => label !== 'flotilla:in-review')),
  ];
  actions[round % actions.length]();
  if (!issue.labels.includes('agent') && round % actions.length !== 0) issue.labels.push('agent');
}
