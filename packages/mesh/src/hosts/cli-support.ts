/** What the `mesh hosts` commands share: ssh settings from the CLI's environment, errors in words. */
import type { MeshCliContext } from '../cli/context.js';
import { ExitError, UsageError } from '../cli/context.js';
import { isSshConfigError, resolveSshTarget, type SshConfigOptions, type SshTarget } from '../ssh/ssh-config.js';
import { HostsFileError } from './hosts-file.js';
import { agentSocketFromEnv, sshConfigFromEnv } from './ssh-env.js';

/** How long `add`, `trust` and a hub-less `ls` wait for a host's first answer. */
export const PROBE_TIMEOUT_MS = 15_000;

export interface SshContext {
  sshConfig: SshConfigOptions;
  agentSocket: string | null;
}

export function sshContext(ctx: MeshCliContext): SshContext {
  return { sshConfig: sshConfigFromEnv(ctx.env), agentSocket: agentSocketFromEnv(ctx.env) };
}

/** Resolves `spec` through ssh_config; a bad alias or config is the user's to fix (exit 2). */
export async function resolveSpec(ctx: MeshCliContext, spec: string, ssh: SshContext): Promise<SshTarget> {
  try {
    const target = await resolveSshTarget(spec, ssh.sshConfig);
    for (const warning of target.warnings) ctx.streams.stderr.write(`mesh: warning: ${warning}\n`);
    return target;
  } catch (error) {
    if (isSshConfigError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs a hosts.json operation, turning its errors into the CLI's (usage: exit 2, corrupt file: exit 1). */
export async function withHostsFile<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!(error instanceof HostsFileError)) throw error;
    if (error.code === 'HOSTS_FILE_INVALID') throw new ExitError(1, `mesh: ${error.message}${error.fix ? `\n  fix: ${error.fix}` : ''}`);
    throw new UsageError(error.message, error.fix);
  }
}
