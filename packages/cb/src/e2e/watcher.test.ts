import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProtocolError, type FlotillaEvent } from '@flotilla/protocol';
import { collectEvents, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h[Symbol.asyncDispose]();
});

async function alertLines(name: string): Promise<string[]> {
  return (await h.client.sessionLog(name)).filter((e) => e.kind === 'alert').map((e) => e.message);
}

/** How many matching lines the alerts cover: each names its first line and "(+N more matching lines)". */
function covered(alerts: string[]): number {
  return alerts.map((m) => 1 + Number(/\(\+(\d+) more matching lines?\)$/.exec(m)?.[1] ?? 0)).reduce((a, b) => a + b, 0);
}

function alertEvents(count: number): Promise<FlotillaEvent[]> {
  return collectEvents(h.client, (e) => e.type === 'session.log' && e.entry.kind === 'alert', (kept) => kept.length >= count);
}

describe('watcher sessions through the real daemon', () => {
  it('should raise an alert event for a FAIL line and mark the watcher exited with its exit status', async () => {
    const script = join(h.repo, 'suite.sh');
    writeFileSync(script, "for t in a b c d e f g; do if [ $t = e ]; then printf '\\033[31mFAIL\\033[0m %s\\n' $t; else echo \"pass $t\"; fi; done; sleep 2; exit 1\n");
    const session = await h.client.createSession({ name: 'suite', cwd: h.repo, command: ['/bin/sh', script], alerts: ['FAIL|Error'] });
    expect(session).toMatchObject({ kind: 'watcher', agent: 'command', command: ['/bin/sh', script], alerts: ['FAIL|Error'] });
    const [event] = await alertEvents(1);
    expect(event?.type === 'session.log' && event.entry).toMatchObject({ sessionId: session.id, kind: 'alert', message: '/FAIL|Error/ matched: FAIL e' });
    await waitFor(async () => (await h.client.getSession('suite')).state === 'exited', 15_000);
    const log = (await h.client.sessionLog('suite')).map((e) => e.message);
    expect(log).toContain('working → exited (process) — exit status 1');
    expect(await alertLines('suite')).toHaveLength(1);
  });

  it('should refuse a bad pattern, naming it', async () => {
    const error = await h.client.createSession({ name: 'bad', cwd: h.repo, command: ['true'], alerts: ['ok', '(unclosed'] }).catch((e: unknown) => e);
    expect(isProtocolError(error) && [error.code, error.message]).toEqual(['VALIDATION_FAILED', expect.stringContaining('alerts.1: alert pattern "(unclosed" is not a valid regular expression')]);
  });

  it('should neither repeat nor miss an alert across a daemon kill -9, output written while it was down included', async () => {
    // 30 FAIL lines, one every 0.3 s; the daemon is killed after the first alert and is down ~3 s.
    const command = ['/bin/sh', '-c', 'i=1; while [ $i -le 30 ]; do echo "FAIL $i"; echo "pass $i"; i=$((i+1)); sleep 0.3; done; sleep 60'];
    await h.client.createSession({ name: 'soak', cwd: h.repo, command, alerts: ['FAIL'] });
    await waitFor(async () => (await alertLines('soak')).length > 0, 15_000);
    await h.killDaemon();
    await new Promise((r) => setTimeout(r, 3_000));
    await h.startDaemon();
    await waitFor(async () => covered(await alertLines('soak')) >= 30, 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const alerts = await alertLines('soak');
    expect(covered(alerts)).toBe(30);
    const firsts = alerts.map((m) => Number(/matched: FAIL (\d+)/.exec(m)?.[1]));
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    expect(new Set(firsts).size).toBe(firsts.length);
    await h.client.stopSession('soak');
  });
});
