/** Where a CLI or the hub finds the user's ssh setup: HOME, the user name and the ssh-agent. */
import { homedir, userInfo } from 'node:os';
import type { SshConfigOptions } from '../ssh/ssh-config.js';

/** `resolveSshTarget` options for the user whose environment `env` is (HOME, USER/LOGNAME). */
export function sshConfigFromEnv(env: Readonly<Record<string, string | undefined>>): SshConfigOptions {
  const home = env.HOME && env.HOME.startsWith('/') ? env.HOME : homedir();
  const localUser = env.USER || env.LOGNAME || userInfo().username;
  // A plain copy: process.env is not a plain object, and the options schema wants a record.
  return { home, localUser, env: { ...env } };
}

/** The ssh-agent socket from `env`, or null. */
export function agentSocketFromEnv(env: Readonly<Record<string, string | undefined>>): string | null {
  return env.SSH_AUTH_SOCK || null;
}
