import { describe, expect, it } from 'vitest';
import type { Session } from '@flotilla/protocol';
import { findByName, groupSessions, noTerminalReason, placeOf } from './session-lists';

let n = 0;
function session(fields: Partial<Session>): Session {
  n += 1;
  return {
    id: `01JSESSION${String(n).padStart(16, '0')}`,
    name: `s${n}`,
    host: 'laptop',
    kind: 'agent',
    agent: 'claude',
    model: 'sonnet',
    cwd: '/src/app',
    worktree: null,
    command: null,
    alerts: [],
    state: 'working',
    since: '2026-11-25T17:00:00.000Z',
    source: 'hook',
    waitingFor: null,
    tmuxSession: `flotilla-s${n}`,
    pid: 100 + n,
    agentSessionId: null,
    external: false,
    restarts: 0,
    createdAt: '2026-11-25T16:00:00.000Z',
    updatedAt: '2026-11-25T17:00:00.000Z',
    endedAt: null,
    ...fields,
  };
}

describe('groupSessions', () => {
  it('should put sessions that need you first, then by name, and keep discovered and ended apart', () => {
    const groups = groupSessions([
      session({ name: 'b', state: 'working' }),
      session({ name: 'a', state: 'idle' }),
      session({ name: 'z', state: 'waiting_permission' }),
      session({ name: 'ext', external: true }),
      session({ name: 'old', state: 'exited', endedAt: '2026-11-25T15:00:00.000Z' }),
      session({ name: 'older', state: 'exited', endedAt: '2026-11-25T14:00:00.000Z' }),
    ]);
    expect(groups.live.map((s) => s.name)).toEqual(['z', 'a', 'b']);
    expect(groups.discovered.map((s) => s.name)).toEqual(['ext']);
    expect(groups.ended.map((s) => s.name)).toEqual(['old', 'older']);
  });
});

describe('findByName', () => {
  it('should prefer Flotilla’s running session over a discovered or ended one of the same name', () => {
    const mine = session({ name: 'rev' });
    const found = findByName([session({ name: 'rev', external: true }), mine, session({ name: 'rev', state: 'exited' })], 'rev');
    expect(found).toBe(mine);
    expect(findByName([mine], 'nope')).toBeNull();
  });
});

describe('placeOf and noTerminalReason', () => {
  it('should name the worktree and branch when there is one', () => {
    const worktree = { path: '/wt/rev', branch: 'flotilla/rev', base: 'main', baseCommit: 'abc', repoRoot: '/src/app', changedFiles: [], removed: false };
    expect(placeOf(session({ worktree } as Partial<Session>))).toBe('/wt/rev (flotilla/rev)');
    expect(placeOf(session({ cwd: '/src/x' }))).toBe('/src/x');
  });

  it('should explain why discovered sessions and the user’s own tmux panes have no terminal', () => {
    expect(noTerminalReason(session({}))).toBeNull();
    expect(noTerminalReason(session({ external: true }))).toContain('adopt');
    expect(noTerminalReason(session({ name: 'mine', tmuxSocket: 'default' }))).toContain('cb peek mine');
  });
});
