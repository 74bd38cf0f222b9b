/**
 * Where a batch's job runs behind a hub (decision 38 as amended for remote hosts): this machine's
 * host when it can take it, else another host of the fleet that can. A job on another host runs in a
 * cb worktree of that host's own checkout — at the repo's `path`, the same on every host, as `mesh
 * run --any` and `mesh sync` assume — and publishes its branch on `origin` (cb's `publish`), where
 * the director fetches it back. So a repo can go to another host only when this machine's checkout
 * has `origin`, it has no `setup` (that command runs in the director's own worktrees, and what it
 * makes is kept out of the commit) and no `flow` (a flow's steps share one local worktree).
 *
 * Candidates, in order: the repo's `hosts`, else this machine's host first and then the others by
 * free slots. A candidate is passed over, with the reason, when it is not a hub host, the repo cannot
 * leave this machine, the host refused the repo's job before (no checkout there, a cb without `publish`), its pre-flight fails
 * (another host's doctor is asked the first time it is a candidate), or it is full: this cycle already
 * placed `concurrency.perHost` batches there, or the hub reports no free slot left for them. When
 * every usable candidate is full the first usable one is taken anyway (the batch waits for it).
 */
import type { Host } from '@flotilla/protocol';
import type { RepoConfig } from '../config/config-schema.js';
import type { Placement } from '../cycle/director.js';
import type { HostReadiness } from '../cycle/report.js';

/** What the cycle tells the placement about the batch (absent: the old rule, this machine's host only). */
export interface PlacementContext {
  repo: RepoConfig;
  perHost: number;
}

/** The fleet as one cycle's placement sees it. */
export interface FleetView {
  /** This machine's host in the hub's fleet. */
  local: string;
  hosts: readonly Host[];
  /** A host's pre-flight (cached for the cycle). */
  readiness(host: string): Promise<HostReadiness>;
  /** Why `host` is passed over for the repo at `path` (a refused dispatch: no checkout there, no publish), or null. */
  passedOverFor(host: string, path: string): string | null;
  /** Whether this machine's checkout at `path` has an `origin` remote. */
  hasOrigin(path: string): Promise<boolean>;
  /** Batches placed per host in this cycle. */
  tally: Map<string, number>;
}

export async function placeBatch(view: FleetView, context: PlacementContext): Promise<Placement> {
  const { repo, perHost } = context;
  const reasons: string[] = [];
  let firstUsable: string | null = null;
  for (const name of candidates(view, repo.hosts)) {
    const host = view.hosts.find((h) => h.name === name);
    const refusal = host === undefined ? `${name} is not a host of the hub` : await unusable(view, repo, name);
    if (refusal !== null) {
      reasons.push(refusal);
      continue;
    }
    firstUsable ??= name;
    const placed = view.tally.get(name) ?? 0;
    if (placed >= perHost) {
      reasons.push(`host ${name} is full (${placed} of concurrency.perHost ${perHost} placed this cycle)`);
      continue;
    }
    if (host!.freeSlots - placed <= 0) {
      reasons.push(`host ${name} has no free slot (${host!.running} of ${host!.slots} running)`);
      continue;
    }
    return take(view, name);
  }
  if (firstUsable !== null) return take(view, firstUsable);
  return { refused: `no host can run ${repo.name}'s jobs: ${reasons.join('; ') || 'the hub has no hosts'}` };
}

function take(view: FleetView, host: string): Placement {
  view.tally.set(host, (view.tally.get(host) ?? 0) + 1);
  return { host };
}

function candidates(view: FleetView, repoHosts: readonly string[]): string[] {
  if (repoHosts.length > 0) return [...new Set(repoHosts)];
  const others = view.hosts.filter((h) => h.name !== view.local).sort((a, b) => b.freeSlots - a.freeSlots || (a.latencyMs ?? 5_000) - (b.latencyMs ?? 5_000));
  return [view.local, ...others.map((h) => h.name)];
}

/** Why the repo's jobs cannot go to `host` at all (capacity aside), or null. */
async function unusable(view: FleetView, repo: RepoConfig, host: string): Promise<string | null> {
  if (host !== view.local) {
    const stays = await whyLocalOnly(view, repo);
    if (stays !== null) return `not host ${host}: ${stays}`;
    const passedOver = view.passedOverFor(host, repo.path);
    if (passedOver !== null) return `not host ${host}: ${passedOver}`;
  }
  const ready = await view.readiness(host);
  return ready.ok ? null : `host ${host} failed the pre-flight, nothing is dispatched to it: ${ready.detail}`;
}

/** Why this repo's jobs must run in this machine's worktrees, or null when another host can run them. */
export async function whyLocalOnly(view: Pick<FleetView, 'hasOrigin'>, repo: RepoConfig): Promise<string | null> {
  if (repo.flow !== undefined) return `${repo.name} runs through the flow ${repo.flow}, whose steps share a worktree on this machine`;
  if (repo.setup !== undefined) return `${repo.name} has a setup command, run only in this machine's worktrees`;
  if (!(await view.hasOrigin(repo.path))) return `${repo.path} has no origin remote here, so a branch made on another host could not come back`;
  return null;
}
