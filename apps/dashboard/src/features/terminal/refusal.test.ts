import { describe, expect, it } from 'vitest';
import { classifyRefusal } from './refusal';

const envelope = (code: string, message: string, fix?: string) => ({ error: fix ? { code, message, fix } : { code, message } });

describe('classifyRefusal', () => {
  it('should retry while the daemon cannot be reached (a restart)', () => {
    expect(classifyRefusal({ status: null, body: null }, false)).toEqual({ action: 'retry', message: 'the daemon cannot be reached' });
    // A proxy in front of a daemon that is down (vite's dev server, a hub).
    expect(classifyRefusal({ status: 502, body: null }, false)).toEqual({ action: 'retry', message: 'the daemon is not answering (HTTP 502)' });
  });

  it('should stop for a session that has exited or cannot be streamed, saying why', () => {
    const exited = classifyRefusal({ status: 409, body: envelope('SESSION_NOT_RUNNING', 'session rev has exited', 'read what happened: cb session log rev') }, false);
    expect(exited).toEqual({ action: 'stop', message: 'session rev has exited — read what happened: cb session log rev' });
    expect(classifyRefusal({ status: 409, body: envelope('CONFLICT', 'started outside Flotilla') }, false).action).toBe('stop');
    expect(classifyRefusal({ status: 404, body: envelope('SESSION_NOT_FOUND', 'no session called "x"') }, true).action).toBe('stop');
  });

  it('should go back to read-only when typing was refused', () => {
    // The session streams (the plain GET reaches the upgrade check), so the token was the problem.
    const refused = classifyRefusal({ status: 400, body: envelope('BAD_REQUEST', 'this is a WebSocket endpoint') }, true);
    expect(refused.action).toBe('read-only');
    expect(refused.message).toContain('full token');
    expect(classifyRefusal({ status: 401, body: envelope('UNAUTHORIZED', 'terminal input needs the daemon\'s full token') }, true).action).toBe('read-only');
  });

  it('should retry a refused read-only stream that the session itself does not explain', () => {
    expect(classifyRefusal({ status: 400, body: envelope('BAD_REQUEST', 'this is a WebSocket endpoint') }, false).action).toBe('retry');
    expect(classifyRefusal({ status: 500, body: envelope('INTERNAL', 'boom') }, false)).toEqual({ action: 'retry', message: 'boom' });
  });
});
