/** The bodies of `mesh hosts add`, `ls` and `rm` (registered in ../cli/host-commands.ts). */
import { z } from 'zod';
import { HostSchema, type Host } from '@flotilla/protocol';
import { isKitError } from '@flotilla/kit/transport';
import { ExitError, UsageError, printJson, printLine, type MeshCliContext } from '../cli/context.js';
import { addHostEntry, FleetHostNameSchema, readHostsFile, removeHostEntry } from './hosts-file.js';
import { PROBE_TIMEOUT_MS, resolveSpec, sshContext, withHostsFile } from './cli-support.js';
import { probeHost, probeHostReport } from './host-probe.js';
import { formatHostsTable } from './hosts-table.js';

/**
 * Adds a host after connecting once: a known key or an unreachable host is added (the latter with
 * a warning), an unknown key is added but refused until `mesh hosts trust`, a changed key is not added.
 */
export async function addHost(ctx: MeshCliContext, spec: string, options: { name?: string }): Promise<void> {
  const { stdout, stderr } = ctx.streams;
  const ssh = sshContext(ctx);
  const target = await resolveSpec(ctx, spec, ssh);
  const name = checkedName(options.name ?? target.alias);
  const existing = await withHostsFile(() => readHostsFile(ctx.paths.hosts));
  if (existing.hosts.some((host) => host.name === name)) {
    throw new UsageError(`a host named ${name} is already in ${ctx.paths.hosts}`, `pick another name with --name, or \`mesh hosts rm ${name}\` first`);
  }
  const { link, status } = await probeHost({ name, spec, ...ssh, timeoutMs: PROBE_TIMEOUT_MS });
  const where = link.describeTarget() ?? spec;
  await link.close();
  if (status.state === 'refused' && status.hostKey?.verdict !== 'unknown') {
    throw new ExitError(1, `mesh: ${name} not added: ${status.error ?? 'its host key was refused'}`);
  }
  await withHostsFile(() => addHostEntry(ctx.paths.hosts, { name, spec, addedAt: new Date(ctx.now()).toISOString() }));
  printLine(stdout, `added ${name}: ${where}`);
  if (status.state === 'up' && status.hostKey !== null) {
    printLine(stdout, `  host key ${status.hostKey.keyType} ${status.hostKey.fingerprint} is known; the hub (mesh serve) connects to it`);
  } else if (status.state === 'refused' && status.hostKey !== null) {
    printLine(stdout, `  its host key is not in known_hosts: ${status.hostKey.keyType} ${status.hostKey.fingerprint}`);
    printLine(stdout, `  refused until you check that fingerprint and run \`mesh hosts trust ${name}\``);
  } else {
    stderr.write(`mesh: warning: ${name} did not answer: ${status.error ?? 'unreachable'}; added anyway, the hub keeps trying\n`);
  }
}

function checkedName(name: string): string {
  const parsed = FleetHostNameSchema.safeParse(name);
  if (!parsed.success) throw new UsageError(`"${name}" cannot be a host name: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'give one with --name');
  return parsed.data;
}

export async function removeHost(ctx: MeshCliContext, name: string): Promise<void> {
  const removed = await withHostsFile(() => removeHostEntry(ctx.paths.hosts, name));
  printLine(ctx.streams.stdout, `removed ${removed.name} (${removed.spec}); the hub disconnects from it, its jobs keep running there`);
}

/** From the hub when one answers (its live view); otherwise every host probed directly, in parallel. */
export async function listHosts(ctx: MeshCliContext, options: { json?: boolean; hubUrl?: string }): Promise<void> {
  const fromHub = await hostsFromHub(ctx, options.hubUrl);
  const hosts = fromHub ?? (await probeAll(ctx));
  if (options.json) return printJson(ctx.streams.stdout, hosts);
  if (fromHub === null) printLine(ctx.streams.stdout, hosts.length === 0 ? 'no hosts yet: add one with `mesh hosts add NAME`' : 'no hub answered; each host was probed directly:');
  for (const line of formatHostsTable(hosts, ctx.now())) printLine(ctx.streams.stdout, line);
}

async function hostsFromHub(ctx: MeshCliContext, hubUrl: string | undefined): Promise<Host[] | null> {
  let response;
  try {
    const transport = await ctx.hub(hubUrl === undefined ? {} : { url: hubUrl });
    response = await transport.request({ method: 'GET', path: '/api/hosts' });
  } catch (error) {
    // No hub running is the normal case for a lone machine; a hub named with --hub must answer.
    if (hubUrl === undefined && isKitError(error, 'DAEMON_UNAVAILABLE')) return null;
    throw error;
  }
  if (response.status !== 200) throw new ExitError(1, `mesh: the hub answered GET /api/hosts with ${response.status}: ${JSON.stringify(response.body)}`);
  const parsed = z.array(HostSchema).safeParse(response.body);
  if (!parsed.success) throw new ExitError(1, `mesh: the hub's /api/hosts is not a list of hosts: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

async function probeAll(ctx: MeshCliContext): Promise<Host[]> {
  const file = await withHostsFile(() => readHostsFile(ctx.paths.hosts));
  const ssh = sshContext(ctx);
  const now = () => new Date(ctx.now());
  return Promise.all(file.hosts.map((entry) => probeHostReport({ name: entry.name, spec: entry.spec, ...ssh, timeoutMs: PROBE_TIMEOUT_MS }, now)));
}
