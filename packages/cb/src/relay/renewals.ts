/**
 * Keeps relayed claims alive: every claim made for a job or session is renewed every leaseMs/3 for
 * as long as its holder runs (the job's attempt is running, the session has not exited), so an
 * agent in a 20-minute tool call keeps its task. Renewal stops when the holder ends (the lease then
 * runs out on the hub, which returns the task), when the task is finished through the relay, or
 * when the hub says the claim is no longer ours (STALE_TOKEN, NOT_FOUND, any other refusal).
 * Claims are in the database, so a restarted daemon carries on renewing them.
 */
import createDebug from 'debug';
import { isProtocolError, TaskSchema } from '@flotilla/protocol';
import type { AgentAccess } from './access.js';
import type { HubClient } from './hub-client.js';
import type { RelayClaim, RelayStore } from './store.js';

const debug = createDebug('cb:relay');

/** A renewal the hub could not take (unreachable) is tried again this soon, or at the next third of the lease. */
const RETRY_UNREACHABLE_MS = 5_000;

export interface Renewals {
  /** Looks at the claims again (after a claim or a finish) and sets the timer for the next due renewal. */
  reschedule(): void;
  /** Renews every claim that is due now (the timer calls it; tests may too). */
  tick(): Promise<void>;
  close(): void;
}

export function createRenewals(options: { store: RelayStore; hub: HubClient; access: AgentAccess; now?: () => number }): Renewals {
  const { store, hub, access } = options;
  const now = options.now ?? Date.now;
  /** When each claim is next due, in memory: a failed renewal is retried sooner than a third of the lease. */
  const retryAt = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let closed = false;

  const dueAt = (claim: RelayClaim): number =>
    retryAt.get(claim.taskId) ?? Date.parse(claim.renewedAt ?? claim.claimedAt) + Math.floor(claim.leaseMs / 3);

  async function holderLives(claim: RelayClaim): Promise<boolean> {
    if (claim.tokenHash === null) return false;
    const record = await store.findAgentToken(claim.tokenHash);
    return record !== null && (await access.isLive(record));
  }

  async function renew(claim: RelayClaim): Promise<void> {
    if (!(await holderLives(claim))) {
      debug('claim of %s: its holder %s ended; no more renewals', claim.taskKey, claim.holder.who);
      await forget(claim);
      return;
    }
    try {
      await hub.call(TaskSchema, { method: 'POST', path: `/api/board/${encodeURIComponent(claim.taskId)}/renew`, body: { token: claim.token, leaseMs: claim.leaseMs } });
      retryAt.delete(claim.taskId);
      await store.claimRenewed(claim.taskId, new Date(now()).toISOString());
    } catch (error) {
      if (isProtocolError(error) && error.status < 500) {
        debug('claim of %s refused by the hub (%s): %s', claim.taskKey, error.code, error.message);
        await forget(claim);
        return;
      }
      retryAt.set(claim.taskId, now() + Math.min(RETRY_UNREACHABLE_MS, Math.floor(claim.leaseMs / 3)));
      debug('renewing %s failed, trying again: %s', claim.taskKey, (error as Error).message);
    }
  }

  async function forget(claim: RelayClaim): Promise<void> {
    retryAt.delete(claim.taskId);
    await store.forgetClaim(claim.taskId);
  }

  async function tick(): Promise<void> {
    if (ticking) return ticking;
    ticking = (async () => {
      for (const claim of await store.claims()) {
        if (claim.tokenHash !== null && dueAt(claim) <= now()) await renew(claim);
      }
    })()
      .catch((error: unknown) => debug('renewal pass failed: %o', error))
      .finally(() => {
        ticking = null;
        reschedule();
      });
    return ticking;
  }

  function reschedule(): void {
    if (closed) return;
    void store.claims().then((claims) => {
      if (closed) return;
      if (timer) clearTimeout(timer);
      timer = null;
      const renewed = claims.filter((c) => c.tokenHash !== null);
      if (renewed.length === 0) return;
      const next = Math.min(...renewed.map(dueAt));
      timer = setTimeout(() => void tick(), Math.max(0, next - now()));
      timer.unref();
    });
  }

  return {
    reschedule,
    tick,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
