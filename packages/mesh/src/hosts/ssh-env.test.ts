import { describe, expect, it } from 'vitest';
import { resolveSshTarget } from '../ssh/ssh-config.js';
import { agentSocketFromEnv, sshConfigFromEnv } from './ssh-env.js';

describe('ssh settings from the environment', () => {
  it('should take process.env itself (not a plain object) as resolveSshTarget options', async () => {
    const target = await resolveSshTarget('someone@example.invalid:2200', { ...sshConfigFromEnv(process.env), configPath: '/dev/null' });
    expect(target).toMatchObject({ user: 'someone', hostname: 'example.invalid', port: 2200 });
  });

  it('should read HOME, USER and SSH_AUTH_SOCK', () => {
    expect(sshConfigFromEnv({ HOME: '/home/ada', USER: 'ada' })).toMatchObject({ home: '/home/ada', localUser: 'ada' });
    expect(sshConfigFromEnv({ HOME: 'relative', LOGNAME: 'bob' }).localUser).toBe('bob');
    expect(agentSocketFromEnv({ SSH_AUTH_SOCK: '/tmp/agent.sock' })).toBe('/tmp/agent.sock');
    expect(agentSocketFromEnv({ SSH_AUTH_SOCK: '' })).toBeNull();
  });
});
