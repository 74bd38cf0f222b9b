// `mesh hosts ls` says a bare host is bare, and why, under its row.
import { describe, expect, it } from 'vitest';
import type { Host } from '@flotilla/protocol';
import { formatHostsTable } from '../hosts/hosts-table.js';

const host: Host = {
  name: 'mac',
  spec: 'mac',
  target: 'me@mac:22',
  state: 'up',
  since: '2026-11-25T10:00:00.000Z',
  latencyMs: 40,
  error: null,
  hostKey: null,
  mode: 'tmux',
  modeReason: 'cb is on mac but Node.js is not (env: node: No such file or directory)',
  cbVersion: 'bare',
  running: 1,
  queued: 0,
  sessions: 0,
  slots: 4,
  freeSlots: 3,
  paused: false,
  lastSeenAt: null,
};

describe('mesh hosts ls', () => {
  it('shows a bare host with the reason', () => {
    const lines = formatHostsTable([host], Date.parse('2026-11-25T10:01:00.000Z'));
    expect(lines[1]).toMatch(/^mac\s+me@mac:22\s+up\s+40 ms\s+bare\s+1\s+0\s+0\s+3\/4$/);
    expect(lines[2]).toBe('  mac: bare (the hub drives tmux over SSH; no durable event log): cb is on mac but Node.js is not (env: node: No such file or directory)');
    expect(formatHostsTable([{ ...host, mode: 'daemon', modeReason: null }], 0)).toHaveLength(2);
  });
});
