#!/usr/bin/env node
/**
 * The overnight run (issue 8's "Done when"), shortened to N minutes:
 *
 *   node packages/director/bench/overnight.mjs --minutes N [--tickets-per-hour K] [--concurrency C] [--keep DIR]
 *
 * `flotilla-director start` (the built dist/cli/bin.js) runs for N minutes against a real cb daemon
 * (its built daemon) whose `claude` is the real Claude Code CLI against the scripted fake Anthropic
 * API, with tickets from a fake GitHub arriving over time (some re-labelled and edited again and
 * again) and scripted failures spread through the run: a rate-limit storm, an auth failure window,
 * overload, flaky tickets, a ticket that always fails, a kill -9 of the director mid-job and a cb
 * daemon restart. It then prints an honest account and exits 1 on any violated invariant.
 *
 * `--keep DIR` writes the director's output, the cb daemon's log and the fake model's log there.
 *
 * The harness is src/test-support/claude-fleet*.ts, loaded through tsx (a devDependency of this
 * package), so the tests and this run share one harness; the director and cb run from their builds.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { accountFor, formatAccount } from './overnight-account.mjs';
import { createOvernightModel, FIRST_TICKETS, KIND_ROTATION, planTimeline, touchIssue } from './overnight-scenario.mjs';

const LADDER = ['sonnet', 'sonnet', 'opus'];
const MAX_ATTEMPTS = 3;

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'tickets-per-hour': { type: 'string', default: '120' }, concurrency: { type: 'string', default: '3' }, keep: { type: 'string' } } });
const minutes = Number(values.minutes);
const perHour = Number(values['tickets-per-hour']);
const concurrency = Number(values.concurrency);
if (!(minutes > 0) || !(perHour > 0) || !(concurrency > 0)) {
  process.stderr.write('usage: overnight.mjs --minutes N [--tickets-per-hour K] [--concurrency C]\n');
  process.exit(2);
}
for (const built of ['../dist/cli/bin.js', '../../cb/dist/daemon/main.js', '../../testkit/dist/index.js']) {
  if (!existsSync(fileURLToPath(new URL(built, import.meta.url)))) {
    process.stderr.write(`overnight: ${built} is missing; build first (npx tsc -b in packages/director, packages/cb, packages/testkit)\n`);
    process.exit(2);
  }
}
register();
const { startClaudeFleet, jsonDocuments, TICKETS_REPO, PULLS_REPO } = await import('../src/test-support/claude-fleet.ts');
const model = await import('../src/test-support/claude-fleet-model.ts');
const { daemonEvents } = await import('../src/e2e/e2e-support.ts');
const { openSqliteLedger } = await import('../dist/node.js');

const log = (line) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
const timeline = planTimeline(started, minutes * 60_000);
const events = [];
const note = (what) => {
  events.push(`${Math.round((Date.now() - started) / 1000)}s ${what}`);
  log(what);
};

const fleet = await startClaudeFleet({ slots: concurrency + 2 });
let exitCode = 1;
try {
  const overnight = createOvernightModel(timeline, model);
  const scripted = model.scriptModel(fleet.anthropic, model.anthropicRequestFacts, overnight.decide);
  const config = await fleet.writeConfig({
    sources: { github: { repos: [TICKETS_REPO], label: 'agent' } },
    cycle: { everySeconds: 5 },
    concurrency: { perHost: concurrency, perRepo: concurrency },
    models: { agent: 'claude', ladder: LADDER },
    attempts: MAX_ATTEMPTS,
  });
  const tickets = [];
  const addTicket = (kind) => {
    const name = `${kind}-${tickets.length + 1}`;
    const issue = fleet.github.addIssue(TICKETS_REPO, { title: `[api] ticket:${name}`, body: `Write ${model.ticketFile(name)}.`, labels: ['agent'] });
    tickets.push({ name, number: issue.number, key: `github:${TICKETS_REPO}#${issue.number}`, addedAt: Date.now() });
  };
  for (const kind of FIRST_TICKETS) addTicket(kind);
  note(`${tickets.length} tickets at the start; storm ${window(timeline.storm)}, auth failures ${window(timeline.auth)}, overload ${window(timeline.overload)}`);

  const reportsText = [];
  let director = startDirector(fleet, config);
  const feedEveryMs = 3_600_000 / perHour;
  let nextFeed = Date.now() + feedEveryMs;
  let touchRound = 0;
  let killed = false;
  let daemonRestarted = false;
  while (Date.now() < timeline.end) {
    const now = Date.now();
    if (now >= nextFeed && now < timeline.stopFeedingAt) {
      addTicket(KIND_ROTATION[tickets.length % KIND_ROTATION.length]);
      nextFeed += feedEveryMs;
    }
    // Duplicate triggers: every 7 s one more human touch on every `dup` ticket.
    if (now - started > (touchRound + 1) * 7_000) {
      touchRound += 1;
      for (const ticket of tickets.filter((t) => t.name.startsWith('dup-'))) touchIssue(fleet.github.issue(TICKETS_REPO, ticket.number), touchRound);
    }
    if (!killed && now >= timeline.killDirectorAt && (await hasRunningJob(fleet))) {
      killed = true;
      director.child.kill('SIGKILL');
      await director.ended;
      reportsText.push(director.run.stdout, director.run.stderr);
      note('director killed with SIGKILL while a job ran');
      await sleep(2_000);
      director = startDirector(fleet, config);
      note('director restarted');
    }
    if (!daemonRestarted && now >= timeline.restartDaemonAt) {
      daemonRestarted = true;
      await fleet.restartDaemon();
      note('cb daemon restarted (SIGTERM, then started again)');
    }
    await sleep(1_000);
  }
  if (!killed) note('the director was never killed: no job was running after the kill time');
  director.child.kill('SIGTERM');
  await director.ended;
  reportsText.push(director.run.stdout, director.run.stderr);
  note('director stopped (SIGTERM) at the end of the run');

  const ledger = openSqliteLedger(`${fleet.stateDir}/ledger.db`);
  const overview = await ledger.overview(0);
  await ledger.close();
  const reports = reportsText.flatMap((text) => jsonDocuments(text));
  const jobs = (await fleet.jobs()).filter((job) => job.tags.includes('director'));
  const account = accountFor({ tickets, ledger: overview, pulls: fleet.github.pulls(PULLS_REPO), jobs, reports, scriptedFailures: overnight.scriptedFailures, ladder: LADDER, maxAttempts: MAX_ATTEMPTS });
  for (const row of account.rows) {
    if (!row.done && row.addedAt < timeline.stopFeedingAt - 120_000) account.violations.push(`${row.name} (${row.key}): arrived ${Math.round((timeline.end - row.addedAt) / 1000)} s before the end and is still ${row.status}`);
  }
  const cbPauses = (await daemonEvents(fleet.client, 'pause.started')).map((event) => event.pause);
  const facts = { cbPauses, minutes, wallMs: Date.now() - started, pulls: fleet.github.pulls(PULLS_REPO).length, modelRequests: scripted.log.length, cycles: reports.length, events };
  for (const line of formatAccount(account, facts)) process.stdout.write(`${line}\n`);
  if (values.keep !== undefined) await keep(values.keep, { reports: reportsText.join('\n'), daemon: fleet.daemonLog(), model: scripted.log.map((e) => `${new Date(e.at).toISOString()} ${e.ticket} ${e.session} ${e.model} ${e.label}`).join('\n') });
  exitCode = account.violations.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`overnight: the run failed: ${error.stack ?? error}\n${fleet.daemonLog().slice(-3000)}\n`);
} finally {
  await fleet[Symbol.asyncDispose]();
}
process.exit(exitCode);

function startDirector(world, config) {
  return world.spawnDirector(['start', '--json', '--config', config], { FLOTILLA_DIRECTOR_ID: 'overnight-director' });
}

async function hasRunningJob(world) {
  return (await world.jobs()).some((job) => job.tags.includes('director') && job.status === 'running');
}

async function keep(dir, files) {
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(`${dir}/${name}.log`, text);
  log(`kept the logs in ${dir}`);
}

function window(span) {
  return `${new Date(span.from).toISOString().slice(11, 19)}-${new Date(span.to).toISOString().slice(11, 19)}`;
}
