import { describe, expect, it } from 'vitest';
import { MessageSchema } from '@flotilla/protocol';
import { cliHub } from '../test-support/mesh-cli.test-support.js';

describe('mesh msg, channel and profile', () => {
  it('should send a message into a session and print where it went', async () => {
    await using hub = await cliHub();
    const sent = await hub.run(['msg', 'api-1', 'rebase on main']);
    expect(sent).toMatchObject({ code: 0, stdout: 'sent to api-1 (api-1@linux queued)\n' });
    await hub.messenger.settled();
    expect(hub.delivered).toEqual([{ session: 'api-1', text: '[message from user] rebase on main' }]);
    const json = await hub.run(['msg', '@nobody', 'anyone?', '--json']);
    expect(MessageSchema.parse(JSON.parse(json.stdout))).toMatchObject({ to: '@nobody', deliveries: [] });
    expect((await hub.run(['msg', '@nobody', 'anyone?'])).stdout).toBe('sent to @nobody (nobody holds @nobody: stored, delivered to nobody)\n');
    expect((await hub.run(['msg', 'bad name', 'x'])).stderr).toMatch(/^mesh: to: "bad name" is neither a session name nor @role\n {2}fix: /);
  });

  it('should post to the channel, deliver mentions and print recent posts', async () => {
    await using hub = await cliHub();
    await hub.run(['profile', 'rev-1', '--role', 'reviewer']);
    expect((await hub.run(['channel'])).stdout).toBe('the channel is empty (post with `mesh channel post "text"`)\n');
    expect((await hub.run(['channel', 'post', 'starting AUTH-12'])).stdout).toBe('posted #1\n');
    expect((await hub.run(['channel', 'post', '@reviewer please look'])).stdout).toBe('posted #2 (rev-1@linux queued)\n');
    const json = await hub.run(['channel', 'post', 'json too', '--json']);
    expect(MessageSchema.parse(JSON.parse(json.stdout)).seq).toBe(3);
    const shown = await hub.run(['channel']);
    expect(shown.stdout).toMatch(/^#1 \d\d:\d\d:\d\d user: starting AUTH-12\n#2 \d\d:\d\d:\d\d user: @reviewer please look\n#3 .*json too\n$/);
    await hub.messenger.settled();
    expect(hub.delivered.map((d) => d.session)).toEqual(['rev-1']);
  });

  it('should follow the channel until interrupted', async () => {
    await using hub = await cliHub();
    await hub.run(['channel', 'post', 'before']);
    const following = hub.run(['channel', '-f']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await hub.run(['channel', 'post', 'after']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    process.emit('SIGINT');
    const result = await following;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^#1 .* user: before\n#2 .* user: after\n$/);
  });

  it('should declare a profile, keep what is not given, and show it', async () => {
    await using hub = await cliHub();
    expect((await hub.run(['profile', 'api-1'])).stdout).toBe('api-1 has declared no profile (set one: mesh profile api-1 --role R --tag T --auto)\n');
    expect((await hub.run(['profile', 'api-1', '--role', 'reviewer', '--tag', 'backend', '--tag', 'db', '--auto'])).stdout).toBe(
      'api-1@linux: roles reviewer; tags backend, db; auto on\n',
    );
    expect((await hub.run(['profile', 'api-1', '--no-auto'])).stdout).toBe('api-1@linux: roles reviewer; tags backend, db; auto off\n');
    expect(JSON.parse((await hub.run(['profile', 'api-1', '--json'])).stdout)).toMatchObject({ session: 'api-1', auto: false });
  });
});
