import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux, shellQuote, type Tmux } from '@flotilla/kit/tmux';
import { isProtocolError, type Session } from '@flotilla/protocol';
import { startHarness, waitFor, type Harness } from './harness.js';

/**
 * Discovery through the real daemon: an agent in a pane of a tmux server the daemon does not own
 * (standing in for the user's) is listed by `GET /api/sessions` as external, read-only until adopted.
 */
describe('sessions started outside Flotilla, through the real daemon', () => {
  let h: Harness;
  let user: Tmux;
  const socket = `cbdisc-e2e-${process.pid}`;
  const ours = async (): Promise<Session[]> => (await h.client.listSessions()).filter((s) => s.tmuxSocket === socket);

  beforeAll(async () => {
    h = await startHarness();
    h.env.FLOTILLA_DISCOVERY = 'on';
    await h.killDaemon();
    await h.startDaemon();
    // A "claude" node script: found by its command line, its state from the screen.
    const fake = join(h.root, 'claude');
    writeFileSync(fake, "process.stdout.write('fake agent\\n'); setInterval(() => {}, 1000);\n");
    user = createTmux({ socketName: socket });
    await user.newSession({ name: 'mine', cwd: h.repo, command: ['/bin/sh', '-c', `${shellQuote([process.execPath, fake])}; exec sleep 100000`] });
  });
  afterAll(async () => {
    await user?.killServer().catch(() => false);
    await h?.[Symbol.asyncDispose]();
  });

  it('should list it as external with its host, refuse send until adopted, adopt it, and see it exit', async () => {
    await waitFor(async () => (await ours()).length === 1, 20_000);
    const [found] = await ours();
    expect(found).toMatchObject({ name: `${socket}.mine.0.0`, external: true, host: 'e2e-host', agent: 'claude', tmuxSession: expect.stringMatching(/^%\d+$/) });
    const name = found!.name;

    const refused = await h.client.send(name, { text: 'hi' }).then(() => null, (e: unknown) => e);
    expect(isProtocolError(refused) && refused.code).toBe('CONFLICT');
    expect(isProtocolError(refused) && refused.fix).toBe(`adopt it first: cb session adopt ${name}`);
    // Discovery finds the agent by its command line, which can be before node has started and
    // printed anything (under load, seconds): peek until its line is on the screen.
    await waitFor(async () => (await h.client.peek(name, { lines: 5 })).lines.includes('fake agent'), 10_000);

    const adopted = await h.client.adoptSession(name);
    expect(adopted).toMatchObject({ id: found!.id, external: false, tmuxSocket: socket });
    expect((await h.client.sessionLog(name)).some((e) => /^adopted: claude in tmux pane .* no hooks/.test(e.message))).toBe(true);
    expect(await ours()).toEqual([expect.objectContaining({ id: found!.id, external: false })]);

    // The agent ends: the adopted session exits (its pane, the user's shell, stays).
    await user.run(['send-keys', '-t', found!.tmuxSession, 'C-c']);
    await waitFor(async () => (await h.client.getSession(name)).state === 'exited', 10_000);
  });
});
