/** The body of `mesh hosts bootstrap NAME`: the host from hosts.json, a link, `bootstrapHost`, the result in words or JSON. */
import { ExitError, printJson, printLine, type MeshCliContext } from '../cli/context.js';
import { withHostsFile, PROBE_TIMEOUT_MS } from '../hosts/cli-support.js';
import { findHostEntry } from '../hosts/hosts-file.js';
import { agentSocketFromEnv, sshConfigFromEnv } from '../hosts/ssh-env.js';
import { isLinkError } from '../link/link-errors.js';
import { openHostLink } from '../link/open-host-link.js';
import { isBootstrapError } from './bootstrap-errors.js';
import { bootstrapHost, type BootstrapResult } from './bootstrap-host.js';
import { formatBytes } from './pack-bundle.js';

export interface BootstrapCommandOptions {
  force: boolean;
  json: boolean;
  /** A bundle made by `packCbBundle` (tests); default: pack the hub's cb now. */
  bundleDir?: string;
}

export async function bootstrapCommand(ctx: MeshCliContext, name: string, options: BootstrapCommandOptions): Promise<BootstrapResult> {
  const { stdout, stderr } = ctx.streams;
  const entry = await withHostsFile(() => findHostEntry(ctx.paths.hosts, name));
  const progress = options.json ? stderr : stdout;
  const link = openHostLink({ name: entry.name, target: entry.spec, sshConfig: sshConfigFromEnv(ctx.env), agentSocket: agentSocketFromEnv(ctx.env) });
  try {
    await link.ready(PROBE_TIMEOUT_MS);
    const result = await bootstrapHost(link, {
      force: options.force,
      env: ctx.env,
      onProgress: (line) => printLine(progress, line),
      ...(options.bundleDir === undefined ? {} : { bundleDir: options.bundleDir }),
    });
    if (options.json) printJson(stdout, result);
    else printLine(stdout, summary(result));
    return result;
  } catch (error) {
    if (isLinkError(error, 'LINK_REFUSED')) throw new ExitError(1, `mesh: cannot bootstrap ${name}: ${error.message}\n  fix: check the host key, then \`mesh hosts trust ${name}\``);
    if (isBootstrapError(error, 'BOOTSTRAP_RUNNING')) throw new ExitError(1, `mesh: not bootstrapping ${name}: ${error.message}`);
    if (isBootstrapError(error) || isLinkError(error)) throw new ExitError(1, `mesh: cannot bootstrap ${name}: ${error.message}`);
    throw error;
  } finally {
    await link.close();
  }
}

function summary(result: BootstrapResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  if (result.status === 'already-installed') return `${result.host}: cb ${result.version} is already installed (${result.bin})`;
  const was = result.previous === null ? '' : ` (was ${result.previous})`;
  const installed = `${result.host}: installed cb ${result.version}${was} at ${result.bin} — ${result.packages} packages, ${formatBytes(result.bytes)}, ${seconds} s`;
  if (result.daemon === null) return installed;
  const { previous, current } = result.daemon;
  return `${installed}\n${result.host}: daemon restarted, cb ${previous.version} (pid ${previous.pid}) → cb ${current.version} (pid ${current.pid}); running jobs and sessions stay in tmux and the new daemon adopts them`;
}
