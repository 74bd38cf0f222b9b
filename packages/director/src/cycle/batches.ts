import type { RepoConfig } from '../config/config-schema.js';
import type { Ledger } from '../ledger/ledger.js';
import { ticketBranch, ticketKey, refSafe, type Ticket } from '../tickets/ticket.js';
import { createHash } from 'node:crypto';

export interface PlannedBatch {
  repo: RepoConfig;
  tickets: Ticket[];
  branch: string;
  /** When the sources were listed (ms): a ledger change after it makes the listing stale. */
  listedAt: number;
}

/**
 * Groups one repo's routed tickets into batches of up to `size`. A ticket already in an open
 * batch of the ledger goes back into exactly that batch (same ticket set, same branch), or waits
 * when some of that batch's tickets are not listed this cycle. Tickets stay in their source order.
 */
export async function planBatches(repo: RepoConfig, tickets: readonly Ticket[], options: { size: number; listedAt: number }, ledger: Ledger): Promise<PlannedBatch[]> {
  const { size, listedAt } = options;
  const byKey = new Map(tickets.map((t) => [ticketKey(t), t]));
  const used = new Set<string>();
  const planned: PlannedBatch[] = [];
  const fresh: Ticket[] = [];
  for (const ticket of tickets) {
    const key = ticketKey(ticket);
    if (used.has(key)) continue;
    const open = await ledger.openBatchOf(key);
    if (open === null) {
      fresh.push(ticket);
      continue;
    }
    const members = open.ticketKeys.map((k) => byKey.get(k));
    open.ticketKeys.forEach((k) => used.add(k));
    if (members.every((m): m is Ticket => m !== undefined)) planned.push({ repo, tickets: members, branch: open.branch, listedAt });
  }
  const free = fresh.filter((t) => !used.has(ticketKey(t)));
  for (let start = 0; start < free.length; start += size) {
    const group = free.slice(start, start + size);
    planned.push({ repo, tickets: group, branch: batchBranch(group), listedAt });
  }
  return planned;
}

/**
 * One ticket: `flotilla/t/<source>-<id>`. Several: `flotilla/b/<first ticket>-<hash of the set>`,
 * deterministic in the ticket set whatever the order.
 */
export function batchBranch(tickets: readonly Ticket[]): string {
  const sorted = [...tickets].sort((a, b) => ticketKey(a).localeCompare(ticketKey(b)));
  const first = sorted[0];
  if (first === undefined) throw new Error('a batch needs at least one ticket');
  if (sorted.length === 1) return ticketBranch(first);
  const keys = sorted.map(ticketKey);
  const hash = createHash('sha256').update(keys.join(',')).digest('hex').slice(0, 8);
  return `flotilla/b/${first.source}-${refSafe(first.id)}-${hash}`;
}
