/**
 * `mesh hosts trust NAME`: shows the key the host offers and, once the user accepts it (y on a
 * terminal, `--yes`, or a matching `--fingerprint`), appends it to the first UserKnownHostsFile
 * (hashed with `HashKnownHosts yes`). A changed key is never trusted this way.
 */
import { ExitError, UsageError, printLine, type MeshCliContext } from '../cli/context.js';
import { targetLabel } from '../link/connect.js';
import { scanHostKey } from '../link/host-key-scan.js';
import { appendKnownHost, knownHostsLine } from '../ssh/known-hosts.js';
import { describeRefusal } from '../ssh/known-hosts-verifier.js';
import { PROBE_TIMEOUT_MS, resolveSpec, sshContext, withHostsFile } from './cli-support.js';
import { readHostsFile, touchHostsFile } from './hosts-file.js';

export interface TrustOptions {
  yes?: boolean;
  fingerprint?: string;
}

export async function trustHost(ctx: MeshCliContext, name: string, options: TrustOptions): Promise<void> {
  const { stdout } = ctx.streams;
  const file = await withHostsFile(() => readHostsFile(ctx.paths.hosts));
  const spec = file.hosts.find((host) => host.name === name)?.spec ?? name;
  const ssh = sshContext(ctx);
  const target = await resolveSpec(ctx, spec, ssh);
  const settings = { agentSocket: ssh.agentSocket, home: ssh.sshConfig.home, readyTimeoutMs: PROBE_TIMEOUT_MS, keepaliveIntervalMs: 0, keepaliveCountMax: 0, hostName: name };
  const scan = await scanHostKey(target, settings, ssh.sshConfig).catch((error: Error) => {
    throw new ExitError(1, `mesh: cannot fetch the host key of ${name}: ${error.message}`);
  });
  const { verdict } = scan;
  if (verdict.kind === 'known') {
    printLine(stdout, `${name} (${targetLabel(target)}) is already trusted: ${verdict.keyType} ${verdict.fingerprint} (${verdict.entry.where})`);
    return;
  }
  if (verdict.kind !== 'unknown') {
    const removal = verdict.kind === 'changed' ? [...new Set(verdict.expected.map((key) => key.where.replace(/:\d+$/, '')))].map((path) => `ssh-keygen -R '${verdict.lookupName}' -f ${path}`) : [];
    const advice = removal.length === 0 ? '' : `\n  if you know why the key changed (the host was reinstalled), remove the old line and trust again:\n    ${removal.join('\n    ')}`;
    throw new ExitError(1, `mesh: not trusted: ${describeRefusal(verdict, name)}${advice}`);
  }
  printLine(stdout, `${name} (${targetLabel(target)}) offers ${verdict.keyType} key ${verdict.fingerprint}`);
  await confirm(ctx, name, verdict.fingerprint, options);
  const knownHostsPath = target.userKnownHostsFiles[0];
  if (knownHostsPath === undefined) throw new UsageError('UserKnownHostsFile is `none` for this host: there is no file to add the key to');
  await appendKnownHost(knownHostsPath, knownHostsLine({ host: scan.host, port: scan.port, key: scan.key, hashed: target.hashKnownHosts === true }));
  // The hub re-reads hosts.json when it changes and retries refused links then.
  if (file.hosts.some((host) => host.name === name)) await withHostsFile(() => touchHostsFile(ctx.paths.hosts));
  printLine(stdout, `trusted: added to ${knownHostsPath}${target.hashKnownHosts === true ? ' (hashed)' : ''}`);
}

async function confirm(ctx: MeshCliContext, name: string, fingerprint: string, options: TrustOptions): Promise<void> {
  if (options.fingerprint !== undefined) {
    if (options.fingerprint.trim() !== fingerprint) {
      throw new ExitError(1, `mesh: not trusted: ${name} offers ${fingerprint}, not ${options.fingerprint}`);
    }
    return;
  }
  if (options.yes) return;
  const { stdin, stdout } = ctx.streams;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw new UsageError('not asking without a terminal', `check the fingerprint, then pass --fingerprint ${fingerprint} (or --yes)`);
  }
  stdout.write('Trust this key? [y/N] ');
  const answer = await readLine(stdin);
  if (!/^y(es)?$/i.test(answer.trim())) throw new ExitError(1, 'mesh: not trusted');
}

async function readLine(stdin: AsyncIterable<string | Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0] ?? '';
}
