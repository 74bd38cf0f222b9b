import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeBoardStoreConformance } from './board-store.conformance.js';
import { isBoardStoreError, type BoardStore } from './board-store.js';
import { createSqliteBoardStore } from './sqlite-board-store.js';
import { runClaimers, type ClaimRecord } from '../../bench/board-claim-processes.mjs';

function tempDbPath(): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-board-'));
  return { path: join(dir, 'hub.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describeBoardStoreConformance('sqlite (temp file)', async (clock) => {
  const { path, remove } = tempDbPath();
  const store = createSqliteBoardStore({ path, now: clock.now });
  return {
    store,
    openPeer: async () => createSqliteBoardStore({ path, now: clock.now }),
    dispose: async () => {
      await store.close();
      remove();
    },
  };
});

describe('createSqliteBoardStore', () => {
  it('should keep tasks and key counters across a reopen of the file', async () => {
    const { path, remove } = tempDbPath();
    try {
      const first = createSqliteBoardStore({ path });
      const task = await first.add({ title: 'persist', tags: ['ops'] });
      await first.close();
      const second = createSqliteBoardStore({ path });
      expect((await second.get('OPS-1'))?.id).toBe(task.id);
      expect((await second.add({ title: 'next', tags: ['ops'] })).key).toBe('OPS-2');
      await second.close();
    } finally {
      remove();
    }
  });

  // Enough tasks that the processes' group commits (16 claims per transaction) overlap in time.
  it('should give every task to exactly one claimer across 4 processes of 16 claimers on one file', async () => {
    const { path, remove } = tempDbPath();
    const board = createSqliteBoardStore({ path });
    const tasks = 2000;
    try {
      await Promise.all(Array.from({ length: tasks }, (_, i) => board.add({ title: `task ${i}`, tags: ['race'] })));
      const result = await runClaimers({ path, processes: 4, claimersPerProcess: 16, leaseMs: 60_000 });
      const ids = result.claims.map((claim) => claim.id);
      expect(ids).toHaveLength(tasks);
      expect(new Set(ids).size).toBe(tasks);
      expect(new Set(result.claims.map((claim) => claim.pid)).size).toBeGreaterThan(1);
      expect((await board.list({ status: ['doing'] })).every((task) => task.token === 1)).toBe(true);
      await expectStaleAfterReclaim(board, result.claims);
    } finally {
      await board.close();
      remove();
    }
  });
});

/** Every lease runs out and another agent re-claims a task: its first holder's token is refused. */
async function expectStaleAfterReclaim(board: BoardStore, claims: readonly ClaimRecord[]): Promise<void> {
  await board.expireLeases(new Date(Date.now() + 120_000));
  const again = (await board.claim({ holder: { who: 'late', host: 'mac' }, leaseMs: 60_000 }))!;
  const first = claims.find((claim) => claim.id === again.id)!;
  expect(again.token).toBeGreaterThan(first.token);
  const refused: unknown = await board.complete(first.id, first.token, 'stale').catch((error: unknown) => error);
  expect(isBoardStoreError(refused, 'STALE_TOKEN')).toBe(true);
  expect((await board.complete(again.id, again.token, 'ok')).status).toBe('done');
}
