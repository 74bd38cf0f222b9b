import { join } from 'node:path';
import { makeTempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { openFlowLedger } from './flow-ledger.js';
import { createFlowRunner, FlowError, ownerAlive } from './flow-runner.js';

const FLOW = {
  id: 'F1',
  name: 'f',
  repo: 'api',
  task: 't',
  definition: [{ kind: 'command' as const, name: 'noop', command: 'true', timeoutMinutes: 1, allowFailure: false }],
  worktreePath: '/nowhere',
  branch: 'b',
  baseCommit: null,
  hosts: [],
  tickets: [],
};

describe('openFlowLedger', () => {
  it('should share the director ledger\'s file without touching its tables or version', async () => {
    await using tmp = await makeTempDir('director-flow-ledger-');
    const path = join(tmp.path, 'ledger.db');
    const ledger = openSqliteLedger(path);
    const flows = openFlowLedger(path);
    const again = openFlowLedger(path);
    try {
      await flows.createFlow(FLOW);
      expect((await again.getFlow('F1'))?.definition).toEqual(FLOW.definition);
      expect(await ledger.openBatchOf('board:T-1')).toBeNull();
    } finally {
      await again.close();
      await flows.close();
      await ledger.close();
    }
    const reopened = openSqliteLedger(path);
    expect(await reopened.openBatchOf('board:T-1')).toBeNull();
    await reopened.close();
  });

  it('should keep a flow held by a live runner from a second one, and let a dead runner\'s flow be taken over at once', async () => {
    await using tmp = await makeTempDir('director-flow-ledger-');
    let now = 1_000_000;
    const flows = openFlowLedger(join(tmp.path, 'flows.db'), { now: () => now });
    try {
      await flows.createFlow(FLOW);
      expect(await flows.acquire('F1', 'other-host:1', 60_000)).toEqual({ ok: true });
      expect(await flows.acquire('F1', 'me:2', 60_000)).toEqual({ ok: false, owner: 'other-host:1', leaseUntil: 1_060_000 });
      expect(await flows.acquire('F1', 'me:2', 60_000, () => true)).toEqual({ ok: true });
      now += 61_000;
      expect(await flows.acquire('F1', 'third:3', 60_000)).toEqual({ ok: true });
      const runner = createFlowRunner({ ledger: flows, runJob: async () => ({ ok: true }), owner: 'me:2' });
      now = 1_100_000;
      await expect(runner.resume('F1')).rejects.toThrow(FlowError);
      await expect(runner.resume('F1')).rejects.toMatchObject({ code: 'FLOW_BUSY' });
      await expect(runner.resume('nope')).rejects.toMatchObject({ code: 'FLOW_NOT_FOUND' });
    } finally {
      await flows.close();
    }
    expect(ownerAlive(`elsewhere:${process.pid}`)).toBeNull();
  });
});
