import type { SqliteDatabase } from '@flotilla/kit/sqlite';
import { isBoardStoreError } from './board-store.js';

/**
 * Group commit for the board: the writes that arrive in one turn of the event loop (the claims and
 * dones of many agents whose requests were read together) run one after another inside a single
 * `BEGIN IMMEDIATE … COMMIT`, and each caller is answered once that commit succeeded. Every write
 * still reads and writes under the one write lock of the file, so a claim is as atomic and fenced
 * as in a transaction of its own; what is shared is the cost of taking the lock and of the commit
 * (the WAL append), which is most of a small write's cost in SQLite.
 *
 * A write refused by the board's rules (a `BoardStoreError` thrown before it wrote anything) is
 * that write's answer and does not disturb the others. Anything else thrown inside the batch rolls
 * the batch back and runs each write again in a transaction of its own, so one broken write never
 * fails its neighbours; a failure to begin or commit (the lock held elsewhere beyond the busy
 * timeout, a full disk) rejects every write of the batch, none of which happened.
 */
export interface WriteBatch {
  /** Runs `write` in the next group commit; resolves its value once committed. */
  run<T>(write: () => T): Promise<T>;
  /** Counts a row written by the current write: a refusal after a write is not a clean refusal. */
  wrote(): void;
  /** Runs the writes waiting for the next turn now (before closing the connection). */
  flush(): void;
}

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** An error thrown by one write inside the batch (as opposed to by BEGIN or COMMIT). */
class WriteFailed {
  constructor(readonly cause: unknown) {}
}

export function createWriteBatch(sqlite: SqliteDatabase): WriteBatch {
  let queue: Pending[] = [];
  let writes = 0;

  function settle(pending: Pending): Outcome {
    const before = writes;
    try {
      return { ok: true, value: pending.write() };
    } catch (error) {
      if (writes === before && isBoardStoreError(error)) return { ok: false, error };
      throw new WriteFailed(error);
    }
  }
  // Created once: better-sqlite3 builds a transaction function's BEGIN/COMMIT wrappers per call.
  const commitAll = sqlite.transaction((batch: readonly Pending[]) => batch.map(settle));

  function answer(batch: readonly Pending[], outcomes: readonly Outcome[]): void {
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  function commit(batch: readonly Pending[]): void {
    try {
      answer(batch, commitAll.immediate(batch));
    } catch (error) {
      if (error instanceof WriteFailed && batch.length > 1) {
        for (const pending of batch) commit([pending]);
        return;
      }
      const cause = error instanceof WriteFailed ? error.cause : error;
      for (const pending of batch) pending.reject(cause);
    }
  }

  function flush(): void {
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    commit(batch);
  }

  return {
    run<T>(write: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      });
    },
    wrote: () => void (writes += 1),
    flush,
  };
}
