// Leases across SSH: a holder that is merely slow keeps its task (its daemon renews the lease for
// as long as the job lives); a holder killed mid-task loses it when the lease runs out — the task
// returns to todo and the attempt counts, because the job's exit record shows it ended; the dead
// holder's late write carries a stale token and is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoardClient, isProtocolError, type BoardClient } from '@flotilla/protocol';
import { netnsUnavailableReason } from '../test-support/netns.test-support.js';
import { startSshHub, type SshHub } from '../test-support/ssh-hub.test-support.js';
import { until } from '../test-support/until.test-support.js';

const skip = netnsUnavailableReason();
/** Short leases, so that expiry and renewal happen within a test. */
const LEASE_MS = 3_000;
let fleet: SshHub;
let board: BoardClient;
const dispatch = (prompt: string) => fleet.dispatch('hl1', prompt);

const CLAIM = `key=$(cb board claim --json | sed -n 's/^  "key": "\\([^"]*\\)".*/\\1/p')`;

describe.skipIf(skip !== null)('leases held by agents on a namespace host', () => {
  beforeAll(async () => {
    fleet = await startSshHub({
      count: 1,
      prefix: 'hl',
      // The host's daemon asks for short leases (and renews every third of one).
      prepare: async (net, host) => void (await net.ssh(host, `FLOTILLA_LEASE_MS=${LEASE_MS} cb daemon start --json`)),
      hub: { defaultLeaseMs: LEASE_MS, sweepIntervalMs: 300 },
    });
    board = createBoardClient(fleet.transport);
  }, 150_000);

  afterAll(async () => {
    await fleet?.close();
  });

  it('a slow holder keeps its task for four leases and finishes it', async () => {
    const task = await board.addTask({ title: 'slow work', tags: ['slow'] });
    const job = await dispatch(`set -e\n${CLAIM}\nsleep ${(LEASE_MS * 4) / 1000}\ncb board done "$key" --note "slow but alive"\necho "did $key"`);
    const done = await fleet.ended(job.id);
    expect(done.result, done.result ?? '').toContain(`did ${task.key}`);
    const final = await board.getTask(task.id);
    expect(final.status).toBe('done');
    expect(final.attempts).toBe(0);
    expect(final.history.map((event) => event.kind)).not.toContain('expired');
  });

  it('a holder killed mid-task loses it when the lease runs out; the attempt counts; its late write is refused', async () => {
    const task = await board.addTask({ title: 'doomed work', tags: ['doomed'] });
    const job = await dispatch(`${CLAIM}\necho "holding $key"\nsleep 120`);
    const held = await until('the task held', async () => {
      const current = await board.getTask(task.id);
      return current.status === 'doing' ? current : null;
    });
    expect(held.holder).toMatchObject({ host: 'hl1', jobId: job.id });
    await fleet.client.cancelJob(job.id);
    expect((await fleet.ended(job.id)).status).toBe('cancelled');
    const returned = await until('the task back in todo', async () => {
      const current = await board.getTask(task.id);
      return current.status === 'todo' ? current : null;
    }, LEASE_MS * 5);
    expect(returned.attempts).toBe(1);
    expect(returned.history.map((event) => event.kind)).toContain('expired');
    const late = await board.completeTask(task.id, { token: held.token, note: 'too late' }).catch((error: unknown) => error);
    expect(isProtocolError(late) && late.code).toBe('STALE_TOKEN');
  });
});
