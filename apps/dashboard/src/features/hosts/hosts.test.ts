import { describe, expect, it } from 'vitest';
import type { Job } from '@flotilla/protocol';
import { host } from '../../live/hub-fixtures.test-data';
import { formatTime } from '../../ui/format';
import { hostStateWords, knownHostsName, latencyWords, loadWords, runningJobsByHost, trustCommands } from './hosts';

const DOWN_AT = '2026-11-25T14:02:00.000Z';

describe('hostStateWords', () => {
  it('should say since when a host is unreachable, and why one is refused', () => {
    expect(hostStateWords(host('a'))).toEqual({ label: 'up', tone: 'good' });
    expect(hostStateWords(host('b', { state: 'down', since: DOWN_AT }), Date.parse(DOWN_AT))).toEqual({ label: `unreachable since ${formatTime(DOWN_AT, Date.parse(DOWN_AT))}`, tone: 'bad' });
    const unknown = host('c', { state: 'refused', hostKey: { verdict: 'unknown', fingerprint: 'SHA256:x', keyType: 'ssh-ed25519' } });
    expect(hostStateWords(unknown).label).toBe('refused — its host key is not trusted yet');
    expect(hostStateWords(host('d', { state: 'refused', error: 'Permission denied (publickey)' })).label).toBe('refused — Permission denied (publickey)');
  });
});

describe('trustCommands', () => {
  it('should give the exact command for an unknown key, and removal first for a changed one', () => {
    const key = (verdict: 'unknown' | 'changed' | 'known') => ({ verdict, fingerprint: 'SHA256:x', keyType: 'ssh-ed25519' });
    expect(trustCommands(host('dragon', { state: 'refused', hostKey: key('unknown') }))).toEqual(['mesh hosts trust dragon']);
    expect(trustCommands(host('mac', { state: 'refused', target: 'me@mac.local:2222', hostKey: key('changed') }))).toEqual(['ssh-keygen -R [mac.local]:2222', 'mesh hosts trust mac']);
    expect(trustCommands(host('ok', { hostKey: key('known') }))).toBeNull();
  });

  it('should name hosts as known_hosts files them', () => {
    expect(knownHostsName('me@dragon:22')).toBe('dragon');
    expect(knownHostsName('dragon')).toBe('dragon');
    expect(knownHostsName('me@[fe80::1]:2200')).toBe('[fe80::1]:2200');
    expect(knownHostsName('me@box:2222 via jump')).toBe('[box]:2222');
  });
});

describe('load and latency', () => {
  it('should put a host’s load in words', () => {
    expect(loadWords(host('a', { running: 2, queued: 1, sessions: 1, slots: 4, freeSlots: 2 }))).toBe('2 running · 1 queued · 1 session · 2 of 4 slots free');
    expect(latencyWords(host('a', { latencyMs: 3.25 }))).toBe('latency 3.3 ms');
    expect(latencyWords(host('a', { latencyMs: null }))).toBe('latency unknown');
  });

  it('should group running jobs by host, oldest first', () => {
    const job = (id: string, h: string, status: Job['status'], startedAt: string) => ({ id, host: h, status, startedAt, createdAt: startedAt }) as Job;
    const jobs = new Map(
      [job('1', 'a', 'running', '2026-01-01T00:02:00Z'), job('2', 'a', 'running', '2026-01-01T00:01:00Z'), job('3', 'b', 'queued', '2026-01-01T00:00:00Z')].map((j) => [j.id, j]),
    );
    const byHost = runningJobsByHost(jobs);
    expect(byHost.get('a')?.map((j) => j.id)).toEqual(['2', '1']);
    expect(byHost.has('b')).toBe(false);
  });
});
