// A host leaving bare mode: the hub forgets the bare feed's cursor (far past any daemon event id),
// so the daemon's events start from a snapshot; a daemon's own cursor is kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHubStore, type HubStore } from '../hub/hub-store.js';
import { forgetBareCursor } from './follow-bare-host.js';

let dir: string;
let store: HubStore;
const resync = (id: number) => ({ type: 'resync' as const, reason: 'test', id, at: new Date().toISOString(), host: 'h' });

afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('forgetBareCursor', () => {
  it('forgets a bare feed cursor and keeps a daemon one', () => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-bare-cursor-'));
    store = openHubStore({ path: join(dir, 'hub.db'), hubName: 'hub' });
    store.applyHostEvent('bare', resync(Date.now() * 1_000 + 5));
    store.applyHostEvent('daemon', resync(57));
    forgetBareCursor(store, 'bare');
    forgetBareCursor(store, 'daemon');
    forgetBareCursor(store, 'new');
    expect([store.cursor('bare'), store.cursor('daemon'), store.cursor('new')]).toEqual([null, 57, null]);
  });
});
