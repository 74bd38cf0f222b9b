/**
 * The hosts a director's jobs may run on, and the pre-flight before each cycle (decision 38).
 *
 * A batch's job runs on the host that is this machine (its "local host") in the director's own
 * worktree, or — behind a hub, when the cycle's placement gives it the repo (`remote-placement.ts`)
 * — on another host, in a cb worktree there that publishes the branch on `origin`. This machine's host:
 * - through a lone cb daemon, that daemon's host (a socket is this machine by construction; a URL
 *   is trusted to be, and a daemon elsewhere refuses the job: the worktree does not exist there);
 * - through a hub, the hub's host entry that is this machine: `localHost` when given (CLI
 *   `--local-host`), else the first hub host named like this machine's cb daemon, the hub itself
 *   (when reached over its socket), or this machine's hostname; none → every repo is refused.
 * Without the cycle's placement context (flow steps, direct callers) a job goes to the local host
 * only, and a repo whose `hosts` name only other hosts is refused with the reason.
 *
 * Pre-flight: the local host's `cb doctor` — through the lone daemon (`GET /api/doctor`); behind a
 * hub, the hub's link state, mode and pause for the host, then the host's doctor relayed by the hub
 * (`GET /api/hosts/:name/doctor`; a hub too old for that route: this machine's daemon socket when it
 * answers, else the link state alone, said so) — reduced to the checks the agent needs: tmux, git
 * and every `<agent> …` check (CLI, credential, last run). An active rate-limit pause of the agent
 * on the host counts too. A host that fails gets nothing dispatched. Behind a hub another host's
 * doctor is asked (the same way) the first time a placement considers it, and joins the report.
 */
import { hostname } from 'node:os';
import { HostSchema, createMeshClient, errorFromEnvelope, isProtocolError, type DoctorReport, type FlotillaClient, type Host, type Job, type Pause } from '@flotilla/protocol';
import type { DirectorFleet, FleetPreflight, Placement } from '../cycle/director.js';
import type { HostReadiness } from '../cycle/report.js';
import { hasRemote } from '../git/worktree.js';
import { placeBatch, type FleetView } from './remote-placement.js';
import { withTimeout, type FlotillaServer } from './server.js';

/** `cb doctor` may probe a credential marked unusable with one live prompt; give it time, not forever. */
const DOCTOR_TIMEOUT_MS = 90_000;
/** A host that refused a repo's job (no checkout, a cb without publish) is not chosen for it again for this long (it may be fixed meanwhile). */
const PASS_OVER_MS = 30 * 60_000;

export interface FleetOptions {
  server: FlotillaServer;
  /** Behind a hub: the fleet name of this machine's host (else guessed, see above). */
  localHost?: string;
  /** This machine's own cb daemon, for the doctor behind a hub without a per-host doctor route (null when none answers). */
  localDaemon?: FlotillaServer | null;
  /** This machine's name (default `os.hostname()`). */
  machine?: string;
  /** The clock, for pauses (epoch ms). */
  now?: () => number;
}

export interface Fleet extends DirectorFleet {
  /** This machine's host from the latest pre-flight (running one first when there was none), for a job in a local worktree. */
  placement(repoHosts: readonly string[], agent: string): Promise<Placement>;
  /** Whether `host` is this machine's (by the latest pre-flight). */
  isLocalHost(host: string): boolean;
  /** The job the fleet already holds for an attempt (`<batch>:<attempt>`), wherever it runs; null when none. */
  attemptJob(batchId: string, idempotencyKey: string): Promise<Job | null>;
  /** A dispatch found `host` unable to run the repo at `path` (no checkout there, no publish): it is passed over for that repo for a while, with `reason`. */
  passOverForRepo(host: string, path: string, reason: string): void;
  readonly server: FlotillaServer;
}

/**
 * @example
 * const fleet = createFleet({ server, localDaemon: await findLocalDaemon(home) });
 * const director = createDirector({ ...options, fleet, runJob: createFleetRunJob({ fleet }) });
 */
export function createFleet(options: FleetOptions): Fleet {
  const now = options.now ?? Date.now;
  let last: FleetPreflight | null = null;
  let localName: string | null = null;
  const passedOver = new Map<string, { reason: string; until: number }>();
  const passedOverFor = (host: string, path: string): string | null => {
    const found = passedOver.get(`${host}\0${path}`);
    return found !== undefined && found.until > now() ? found.reason : null;
  };
  const fleet: Fleet = {
    server: options.server,
    async preflight(agent) {
      const found = options.server.isHub ? await hubPreflight(options, agent, now, passedOverFor) : await daemonPreflight(options.server.client, agent, now);
      localName = found.local;
      last = found.preflight;
      return last;
    },
    async placement(repoHosts, agent) {
      last ??= await fleet.preflight(agent);
      return last.placement(repoHosts);
    },
    isLocalHost: (host) => host === localName,
    async attemptJob(batchId, idempotencyKey) {
      const page = await options.server.client.listJobs({ tag: `batch:${batchId}`, limit: 500 });
      return page.items.find((job) => job.idempotencyKey === idempotencyKey) ?? null;
    },
    passOverForRepo(host, path, reason) {
      passedOver.set(`${host}\0${path}`, { reason, until: now() + PASS_OVER_MS });
    },
    async jobUsage(jobId) {
      try {
        const job = await options.server.client.getJob(jobId);
        return { usage: job.usage, cost: job.cost };
      } catch {
        return null;
      }
    },
  };
  return fleet;
}

/** A pre-flight and the name of this machine's host it found (null: none). */
interface FoundPreflight {
  preflight: FleetPreflight;
  local: string | null;
}

async function daemonPreflight(client: FlotillaClient, agent: string, now: () => number): Promise<FoundPreflight> {
  const status = await withTimeout(client.status(), DOCTOR_TIMEOUT_MS, 'the daemon');
  const readiness = await doctorReadiness({ host: status.host, doctor: () => client.doctor(), pauses: () => client.pauses() }, agent, now);
  return { local: status.host, preflight: { hosts: [readiness], placement: (repoHosts) => placeOn(status.host, repoHosts, 'the daemon this director dispatches to') } };
}

type PassedOverFor = (host: string, path: string) => string | null;

async function hubPreflight(options: FleetOptions, agent: string, now: () => number, passedOverFor: PassedOverFor): Promise<FoundPreflight> {
  const hosts = await listHosts(options.server);
  const local = await localHostOf(options, hosts);
  if ('refused' in local) {
    return { local: null, preflight: { hosts: [{ host: '(this machine)', ok: false, detail: local.refused }], placement: () => local } };
  }
  const readiness = async (name: string): Promise<HostReadiness> => {
    const link = linkReadiness(hosts.find((h) => h.name === name)!);
    return link.ok ? hubDoctorReadiness(options, name, link.detail, agent, now) : link;
  };
  const checked: HostReadiness[] = [await readiness(local.host)];
  const asked = new Map<string, Promise<HostReadiness>>([[local.host, Promise.resolve(checked[0]!)]]);
  const origins = new Map<string, Promise<boolean>>();
  const view: FleetView = {
    local: local.host,
    hosts,
    // Another host's doctor is asked the first time a placement considers it; the report lists it then.
    readiness(name) {
      let found = asked.get(name);
      if (found === undefined) {
        found = readiness(name).then((ready) => (checked.push(ready), ready));
        asked.set(name, found);
      }
      return found;
    },
    passedOverFor,
    hasOrigin(path) {
      let found = origins.get(path);
      if (found === undefined) origins.set(path, (found = hasRemote(path, 'origin').catch(() => false)));
      return found;
    },
    tally: new Map(),
  };
  const placement: FleetPreflight['placement'] = (repoHosts, context) =>
    context === undefined ? placeOn(local.host, repoHosts, `this machine's host in the hub's fleet`) : placeBatch(view, context);
  return { local: local.host, preflight: { hosts: checked, placement } };
}

/** Only the local host can run the director's jobs; a repo's `hosts` must be empty or name it. */
function placeOn(local: string, repoHosts: readonly string[], what: string): Placement {
  if (repoHosts.length === 0 || repoHosts.includes(local)) return { host: local };
  return {
    refused: `the repo's hosts (${repoHosts.join(', ')}) do not include ${local}, ${what}; its worktrees are on this machine, so its jobs can run only there — add ${local} to the repo's hosts, or run a director on one of those hosts`,
  };
}

async function localHostOf(options: FleetOptions, hosts: readonly Host[]): Promise<Placement> {
  const names = hosts.map((h) => h.name);
  if (options.localHost !== undefined) {
    if (names.includes(options.localHost)) return { host: options.localHost };
    return { refused: `--local-host ${options.localHost} is not a host of the hub (${names.join(', ') || 'it has none'}); add it with \`mesh hosts add\`` };
  }
  const machine = options.machine ?? hostname();
  const candidates: string[] = [];
  if (options.localDaemon) candidates.push(options.localDaemon.capabilities.host);
  if (options.server.local) candidates.push(options.server.capabilities.host);
  candidates.push(machine, machine.split('.')[0]!);
  const found = candidates.find((name) => names.includes(name));
  if (found !== undefined) return { host: found };
  return {
    refused: `cannot tell which of the hub's hosts (${names.join(', ') || 'none'}) is this machine (${[...new Set(candidates)].join(', ')}); the director's worktrees are here, so its jobs must run here: pass --local-host NAME`,
  };
}

/** The hub's view of a host: reachable, driven by a cb daemon (a bare host classifies no failures), not paused. */
function linkReadiness(host: Host): HostReadiness {
  if (host.state !== 'up') return { host: host.name, ok: false, detail: `the hub's link to it is ${host.state}${host.error ? `: ${host.error}` : ''}` };
  if (host.mode !== 'daemon') return { host: host.name, ok: false, detail: `no cb daemon runs there (${host.modeReason ?? host.mode ?? 'unknown'}); run \`mesh hosts bootstrap ${host.name}\`` };
  if (host.paused) return { host: host.name, ok: false, detail: 'a rate-limit pause is in force there' };
  return { host: host.name, ok: true, detail: `link up (cb ${host.cbVersion ?? '?'})` };
}

/**
 * Behind a hub: the host's doctor relayed by the hub, its pauses from the hub's fleet list. A hub
 * without the per-host route (404 for the route itself, older mesh) falls back to this machine's
 * daemon socket, else to the link state alone.
 */
async function hubDoctorReadiness(options: FleetOptions, host: string, linkDetail: string, agent: string, now: () => number): Promise<HostReadiness> {
  const hub = { doctor: () => createMeshClient(options.server.transport).hostDoctor(host), pauses: () => options.server.client.pauses() };
  try {
    return await doctorReadiness({ host, ...hub, onlyHost: host }, agent, now, true);
  } catch (error) {
    if (!isMissingRoute(error)) {
      return { host, ok: false, detail: `the doctor could not run: ${(error as Error).message}${isProtocolError(error) && error.fix ? ` (fix: ${error.fix})` : ''}` };
    }
  }
  const local = options.localDaemon?.client;
  if (local) return doctorReadiness({ host, doctor: () => local.doctor(), pauses: () => local.pauses() }, agent, now);
  return { host, ok: true, detail: `${linkDetail}; no doctor: the hub has no per-host doctor route (upgrade mesh) and this machine's cb daemon does not answer on its socket` };
}

/** A hub without the route answers a bare 404 (or a NOT_FOUND envelope); an unknown host is HOST_NOT_FOUND. */
function isMissingRoute(error: unknown): boolean {
  return isProtocolError(error) && (error.code === 'NOT_FOUND' || /^unexpected response 404\b/.test(error.message));
}

interface DoctorSource {
  host: string;
  doctor(): Promise<DoctorReport>;
  pauses(): Promise<Pause[]>;
  /** A fleet-wide pause list: only this host's pauses count. */
  onlyHost?: string;
}

/** `rethrow`: a failing doctor call is thrown (the hub's route may be missing) instead of failing the host. */
async function doctorReadiness(source: DoctorSource, agent: string, now: () => number, rethrow = false): Promise<HostReadiness> {
  const { host } = source;
  let report: DoctorReport;
  try {
    report = await withTimeout(source.doctor(), DOCTOR_TIMEOUT_MS, 'the doctor');
  } catch (error) {
    if (rethrow) throw error;
    return { host, ok: false, detail: `the doctor could not run: ${(error as Error).message}` };
  }
  const verdict = judgeDoctor(report, agent);
  if (!verdict.ok) return { host, ok: false, detail: verdict.detail };
  const all = await source.pauses().catch(() => []);
  const pauses = source.onlyHost === undefined ? all : all.filter((p) => p.host === source.onlyHost);
  const paused = pauses.filter((p) => p.agent === agent && p.endedAt === null && Date.parse(p.resetsAt) > now());
  if (paused.length > 0) {
    const until = paused.map((p) => p.resetsAt).sort().at(-1)!;
    return { host, ok: false, detail: `${agent} is paused there until ${until} (${paused[0]!.reason}: ${paused[0]!.message})` };
  }
  return { host, ok: true, detail: verdict.detail };
}

/** The doctor's checks that matter for `agent`: tmux, git, and every `<agent> …` check. */
export function judgeDoctor(report: DoctorReport, agent: string): { ok: boolean; detail: string } {
  const mine = report.checks.filter((c) => c.name.startsWith(`${agent} `));
  if (mine.length === 0) return { ok: false, detail: `the doctor knows no agent ${agent} on ${report.host}` };
  const relevant = [...report.checks.filter((c) => c.name === 'tmux' || c.name === 'git'), ...mine];
  const failing = relevant.filter((c) => !c.ok);
  if (failing.length === 0) return { ok: true, detail: `doctor: ${relevant.map((c) => c.name).join(', ')} ok` };
  return { ok: false, detail: `doctor: ${failing.map((c) => `${c.name}: ${c.detail}${c.fix ? ` (fix: ${c.fix})` : ''}`).join('; ')}` };
}

async function listHosts(server: FlotillaServer): Promise<Host[]> {
  const res = await withTimeout(server.transport.request({ method: 'GET', path: '/api/hosts' }), DOCTOR_TIMEOUT_MS, 'the hub');
  if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
  return HostSchema.array().parse(res.body);
}
