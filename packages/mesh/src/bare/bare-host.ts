/**
 * A host where `cb` cannot run, driven by the hub through tmux over SSH exec: jobs and sessions
 * created there, looked at every few seconds (one exec: the tmux sessions and the state files of
 * everything not yet ended), and the differences published as events. Nothing about the host lives
 * only in the hub: after a restart the hub reads it all again from the host's files.
 */
import { createHash } from 'node:crypto';
import createDebug from 'debug';
import { ulid } from 'ulidx';
import { ProtocolError, isTerminal, type CreateJobRequest, type Job, type Session } from '@flotilla/protocol';
import type { ExecResult, HostLink } from '../link/host-link.js';
import { agentJobCommand } from './bare-agents.js';
import { deriveJob, deriveSession, diffJobs, diffSessions, type BareChange } from './bare-derive.js';
import { createBareEventFeed, type BareEventFeed } from './bare-event-feed.js';
import { emptyStateFiles, parseObservation, type Observation, type StateFiles } from './bare-observation.js';
import { checkBareJobRequest, installFix, newJobRecord } from './bare-records.js';
import { readResult } from './bare-result.js';
import * as scripts from './bare-scripts.js';

const log = createDebug('flotilla:mesh:bare');
/** How many of the newest jobs and sessions a (re)load reads from the host. */
const LOAD_LIMIT = 500;
/** How much of a finished job's output is read for its result. */
const RESULT_TAIL_BYTES = 65_536;
const EXEC_TIMEOUT_MS = 30_000;

export interface BareHostOptions {
  /** The host's name in the fleet. */
  name: string;
  link: HostLink;
  now?: () => Date;
}

export class BareHost {
  readonly name: string;
  readonly feed: BareEventFeed;
  readonly link: HostLink;
  readonly now: () => Date;
  private readonly jobRecords = new Map<string, Job>();
  private readonly jobs = new Map<string, Job>();
  readonly sessionRecords = new Map<string, Session>();
  readonly sessions = new Map<string, Session>();
  private isRoot = false;
  /**
   * Jobs and sessions whose tmux session the last look did not find. Only a second look in a row
   * records them lost or ended (durably): one failed `tmux list-sessions` must not end live work.
   */
  private readonly missing = new Set<string>();
  /** Serialises looks at the host, so an older look never overwrites a newer one. */
  private looking: Promise<unknown> = Promise.resolve();
  loaded = false;
  lastLookMs: number | null = null;

  constructor(options: BareHostOptions) {
    this.name = options.name;
    this.link = options.link;
    this.now = options.now ?? (() => new Date());
    this.feed = createBareEventFeed({ host: options.name, now: this.now });
  }

  /** Runs a bare script on the host; a non-zero exit is an error in words. */
  async run(script: string, stdin?: string): Promise<ExecResult> {
    const result = await this.link.exec(script, { stdin, timeoutMs: EXEC_TIMEOUT_MS });
    if (result.code !== 0) {
      throw new ProtocolError('INTERNAL', `a tmux command on bare host ${this.name} failed (exit ${result.code ?? result.signal}): ${result.stderr.trim().slice(0, 300)}`);
    }
    return result;
  }

  /** Whether tmux runs there (and as whom); null when it does not. */
  async probe(): Promise<string | null> {
    const result = await this.link.exec(`${scripts.tmuxProbeScript()}; id -u`, { timeoutMs: EXEC_TIMEOUT_MS });
    if (result.code !== 0) return null;
    this.isRoot = /^0$/m.test(result.stdout);
    return result.stdout.split('\n')[0]?.trim() ?? 'tmux';
  }

  /**
   * Reads every recent job and session from the host (after a hub start or a reconnect), publishing
   * what changed. `seed`: what the hub's mirror holds of this host, on the first load after a hub
   * restart; the events published are then exactly the changes since the hub last saw the host.
   */
  load(seed?: { jobs: readonly Job[]; sessions: readonly Session[] }): Promise<void> {
    return this.serially(async () => {
      const observation = parseObservation((await this.run(scripts.loadScript(LOAD_LIMIT))).stdout);
      for (const problem of observation.problems) log('%s: %s', this.name, problem);
      if (seed && !this.loaded) this.prime(seed, observation);
      for (const record of observation.jobRecords) this.jobRecords.set(record.id, record);
      for (const record of observation.sessionRecords) this.sessionRecords.set(record.id, record);
      const dirs = [...observation.jobRecords.map((job) => scripts.jobDir(job.id)), ...observation.sessionRecords.map((s) => scripts.sessionDir(s.id))];
      await this.apply(dirs, observation);
      this.loaded = true;
    });
  }

  /** Takes the mirror's copies of the objects the host still has as what was last published. */
  private prime(seed: { jobs: readonly Job[]; sessions: readonly Session[] }, observation: Observation): void {
    const jobIds = new Set(observation.jobRecords.map((job) => job.id));
    const sessionIds = new Set(observation.sessionRecords.map((session) => session.id));
    for (const job of seed.jobs) if (jobIds.has(job.id) && !this.jobs.has(job.id)) this.jobs.set(job.id, job);
    for (const session of seed.sessions) if (sessionIds.has(session.id) && !this.sessions.has(session.id)) this.sessions.set(session.id, session);
    this.feed.markSeeded();
  }

  /** One look at everything not yet ended. */
  look(): Promise<void> {
    return this.serially(async () => {
      const started = performance.now();
      const dirs = [
        ...[...this.jobs.values()].filter((job) => !isTerminal(job.status)).map((job) => scripts.jobDir(job.id)),
        ...[...this.sessions.values()].filter((session) => session.state !== 'exited').map((session) => scripts.sessionDir(session.id)),
      ];
      const observation = parseObservation((await this.run(scripts.pollScript(dirs))).stdout);
      this.lastLookMs = Math.round(performance.now() - started);
      await this.apply(dirs, observation);
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.looking.then(work, work);
    this.looking = next.catch(() => undefined);
    return next;
  }

  /** Derives the objects of `dirs` from a look, records what the look settled, and publishes the differences. */
  private async apply(dirs: readonly string[], observation: Observation): Promise<void> {
    const jobs: Job[] = [];
    const sessions: Session[] = [];
    for (const dir of dirs) {
      const files = observation.files.get(dir) ?? emptyStateFiles();
      const id = dir.slice(dir.indexOf('/') + 1);
      const jobRecord = this.jobRecords.get(id);
      if (dir.startsWith('jobs/') && jobRecord) jobs.push(await this.settleJob(jobRecord, files, observation));
      const sessionRecord = this.sessionRecords.get(id);
      if (dir.startsWith('sessions/') && sessionRecord) sessions.push(await this.settleSession(sessionRecord, files, observation));
    }
    this.publish([...diffJobs(this.jobs, jobs), ...diffSessions(this.sessions, sessions)]);
  }

  private async settleJob(record: Job, files: StateFiles, observation: Observation): Promise<Job> {
    const alive = observation.tmux.get(scripts.jobTmuxName(record.id)) === false;
    let derived = deriveJob(record, files, alive);
    if (derived.needsLostMark && this.missingOnce(record.id)) return this.jobs.get(record.id) ?? derived.job;
    this.missing.delete(record.id);
    if (derived.needsLostMark) {
      const at = this.now().toISOString();
      await this.run(scripts.writeStateFileScript(scripts.jobDir(record.id), 'lost', ['exit', 'cancelled']), `${at}\n`);
      derived = deriveJob(record, { ...files, lost: at }, alive);
    }
    if (derived.needsResult) {
      const result = await this.readJobResult(record);
      await this.run(scripts.writeStateFileScript(scripts.jobDir(record.id), 'result.json'), `${JSON.stringify(result)}\n`);
      derived = deriveJob(record, { ...files, result }, alive);
    }
    return derived.job;
  }

  private async readJobResult(record: Job) {
    const tail = await this.run(scripts.outputTailScript(record.id, RESULT_TAIL_BYTES));
    const output = Buffer.from(tail.stdout.replace(/\s+/g, ''), 'base64').toString('utf8');
    const format = agentJobCommand({ agent: record.agent, model: record.model, permissions: record.permissions, cwd: record.cwd }, '').outputFormat;
    return readResult(format, output);
  }

  private async settleSession(record: Session, files: StateFiles, observation: Observation): Promise<Session> {
    const alive = observation.tmux.get(scripts.sessionTmuxName(record.id)) === false;
    const now = this.now().toISOString();
    const derived = deriveSession(record, files, alive, now);
    if (derived.needsEndMark && this.missingOnce(record.id)) return this.sessions.get(record.id) ?? record;
    this.missing.delete(record.id);
    if (derived.needsEndMark) await this.run(scripts.writeStateFileScript(scripts.sessionDir(record.id), 'ended', ['ended']), `${now}\n`);
    return derived.session;
  }

  /** True the first time `id` is found missing (remembered for the next look). */
  private missingOnce(id: string): boolean {
    if (this.missing.has(id)) return false;
    this.missing.add(id);
    return true;
  }

  publish(changes: readonly BareChange[]): void {
    for (const change of changes) {
      if ('job' in change) this.jobs.set(change.job.id, change.job);
      else this.sessions.set(change.session.id, change.session);
    }
    this.feed.publish(changes);
  }

  listJobs(): Job[] {
    return [...this.jobs.values()].sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)));
  }

  job(id: string): Job {
    const job = this.jobs.get(id.toUpperCase()) ?? this.listJobs().find((candidate) => candidate.id.startsWith(id.toUpperCase()));
    if (!job) throw new ProtocolError('JOB_NOT_FOUND', `no job ${id} on bare host ${this.name}`);
    return job;
  }

  /** Starts a job in a detached tmux session, at most once per idempotency key (kept on the host). */
  async createJob(request: CreateJobRequest): Promise<Job> {
    checkBareJobRequest(request, this.name);
    if (!request.cwd) throw new ProtocolError('VALIDATION_FAILED', 'a bare host needs the working directory (cwd)', { fix: 'pass --cwd DIR' });
    const id = ulid();
    const idempotencyKey = request.idempotencyKey ?? `bare-${id}`;
    const record = newJobRecord({ id, host: this.name, request, idempotencyKey, now: this.now().toISOString() });
    const launch = agentJobCommand({ agent: record.agent, model: record.model, permissions: record.permissions, cwd: record.cwd, isRoot: this.isRoot }, '"$FLOTILLA_BARE_JOB/prompt"');
    const keyHash = createHash('sha256').update(idempotencyKey).digest('hex');
    const script = scripts.createJobScript({ id, keyHash, cwd: record.cwd, agentCommand: launch.command, env: launch.env });
    const answer = (await this.run(script, `${JSON.stringify(record)}\n${request.prompt}`)).stdout.trim().split('\n').at(-1) ?? '';
    if (answer === 'nocwd') throw new ProtocolError('CWD_NOT_FOUND', `${record.cwd} does not exist on ${this.name}`);
    const existing = /^existing (\S+)$/.exec(answer);
    if (existing) return this.existingJob(existing[1]!);
    if (answer !== 'created' && !answer.startsWith('launchfailed')) throw new ProtocolError('INTERNAL', `creating a job on bare host ${this.name} answered: ${answer.slice(0, 300)}`);
    this.jobRecords.set(id, record);
    const files = answer === 'created' ? emptyStateFiles() : { ...emptyStateFiles(), lost: this.now().toISOString() };
    const { job } = deriveJob(record, files, answer === 'created');
    await this.serially(async () => this.publish(diffJobs(this.jobs, [job])));
    return job;
  }

  /** The job a repeated idempotency key already made (read again from the host when this hub has not seen it). */
  private async existingJob(id: string): Promise<Job> {
    if (!this.jobs.has(id)) await this.load();
    return this.job(id);
  }

  async cancelJob(id: string): Promise<Job> {
    const job = this.job(id);
    if (isTerminal(job.status)) throw new ProtocolError('INVALID_TRANSITION', `job ${job.id} already ended (${job.status})`);
    const result = await this.link.exec(scripts.cancelJobScript(job.id), { timeoutMs: EXEC_TIMEOUT_MS });
    if (result.code === 3) throw new ProtocolError('JOB_NOT_FOUND', `job ${job.id} has no record on ${this.name}`);
    await this.look();
    return this.job(job.id);
  }

  /** Waits until the job ends or `timeoutMs` passes; resolves the job as it then is. */
  async waitJob(id: string, timeoutMs: number): Promise<Job> {
    const jobId = this.job(id).id;
    if (isTerminal(this.job(jobId).status)) return this.job(jobId);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const unsubscribe = this.feed.onPublish(() => isTerminal(this.job(jobId).status) && done());
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
    return this.job(jobId);
  }

  /** The words for everything a bare host does not do. */
  notHere(what: string): ProtocolError {
    return new ProtocolError('NOT_FOUND', `${what}: not available on a bare host (${this.name} runs no cb daemon)`, { fix: installFix(this.name) });
  }
}
