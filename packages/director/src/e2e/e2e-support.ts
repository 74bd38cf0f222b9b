/** What the real-parts scenarios share: waiting on a condition, and the ledger's account of every batch. */
import { join } from 'node:path';
import type { FlotillaClient, FlotillaEvent } from '@flotilla/protocol';
import type { LedgerOverview, OverviewBatch } from '../ledger/ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';

/** Polls `check` until it returns something truthy; the error names what was awaited and shows `context()`. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Every batch the director's ledger knows (open and closed), read from its file. */
export async function ledgerAccount(stateDir: string): Promise<LedgerOverview & { all: OverviewBatch[] }> {
  const ledger = openSqliteLedger(join(stateDir, 'ledger.db'));
  try {
    const overview = await ledger.overview(0);
    return { ...overview, all: [...overview.open, ...overview.closed] };
  } finally {
    await ledger.close();
  }
}

/** The issue number of a ticket key `github:acme/tickets#7`. */
export function issueNumber(key: string): number {
  return Number(key.split('#').at(-1));
}

/** The cb daemon's events of one type, read from the start of its outbox (the stream is cut once it has been quiet for `quietMs`). */
export async function daemonEvents(client: FlotillaClient, type: FlotillaEvent['type'], quietMs = 3_000): Promise<FlotillaEvent[]> {
  const found: FlotillaEvent[] = [];
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), quietMs);
  try {
    for await (const event of client.events({ lastEventId: 0, signal: controller.signal })) {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), quietMs);
      if (event.type === type) found.push(event);
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return found;
}
