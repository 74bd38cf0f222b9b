/**
 * `bootstrapHost`: puts the hub's own `cb` on a host that has node and npm but no registry
 * access. Under the host's bootstrap lock (one at a time), tarballs go over SFTP into
 * `~/.flotilla/bootstrap/<version>/`, npm installs them offline into a new
 * `~/.flotilla/cb-installs/<id>`, that install is verified (its `--version`, and a daemon started
 * and stopped under a throwaway FLOTILLA_HOME), then `~/.flotilla/bin/cb` — the first place the
 * hub looks — is pointed at it in one rename, and a running daemon is replaced by the new one.
 * Nothing else of the user's is touched; a failed or interrupted run leaves the previous install
 * in place and in use.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonStatusSchema } from '@flotilla/protocol';
import { firstJson } from '../hub/daemon-discovery.js';
import type { HostLink } from '../link/host-link.js';
import { isLinkError } from '../link/link-errors.js';
import { BootstrapError } from './bootstrap-errors.js';
import { MANIFEST_FILE, readBundle, type BundleManifest } from './bundle-manifest.js';
import { restartDaemon, type DaemonRestart } from './daemon-restart.js';
import { formatBytes, packCbBundle } from './pack-bundle.js';
import { locateCbDir, readPackageJson } from './package-closure.js';
import { probeHost, requireMatchingRuntime, requireNodeAndNpm, requireSpace, type HostFacts } from './remote-probe.js';
import { takeHostLock } from './remote-lock.js';
import { runRemote, shQuote } from './remote-shell.js';
import { cleanupScript, installScript, swapScript, verifyScript, type RemotePaths } from './remote-scripts.js';

/** npm unpacking ~60 tarballs on a slow host; generous because a timeout here wastes the whole upload. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** `cb --version`, then a daemon start (it opens and migrates a fresh database) and stop. */
const VERIFY_TIMEOUT_MS = 2 * 60_000;

export interface BootstrapOptions {
  /** A bundle made by `packCbBundle`; default: pack the hub's own cb now (into a temp dir, removed after). */
  bundleDir?: string;
  /** Install even when `~/.flotilla/bin/cb` already prints the hub's version. */
  force?: boolean;
  onProgress?: (line: string) => void;
  /** For locating cb when packing (`FLOTILLA_CB_DIR`); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface BootstrapResult {
  host: string;
  status: 'installed' | 'already-installed';
  /** The cb version now at `bin`. */
  version: string;
  /** What `~/.flotilla/bin/cb --version` printed before, or null. */
  previous: string | null;
  /** The absolute path of the linked bin on the host. */
  bin: string;
  node: string;
  npm: string;
  /** Packages uploaded and installed (0 when already installed). */
  packages: number;
  bytes: number;
  /** The daemon replaced after the swap (old → new), or null when none was running or nothing was installed. */
  daemon: DaemonRestart | null;
  durationMs: number;
}

/**
 * Installs the hub's cb on the host behind `link` (which must be up).
 * @example
 * const result = await bootstrapHost(link, { onProgress: (line) => console.error(line) });
 * // { status: 'installed', version: '0.1.0', bin: '/home/me/.flotilla/bin/cb', daemon: { previous: …, current: … }, … }
 */
export async function bootstrapHost(link: HostLink, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const started = Date.now();
  const say = options.onProgress ?? (() => undefined);
  say(`checking node and npm on ${link.name}`);
  const before = await probeHost(link);
  requireNodeAndNpm(link.name, before);
  const lock = await takeHostLock(link, before.home);
  try {
    // Probed again under the lock: a bootstrap that just finished may have changed what is installed.
    const facts = await probeHost(link);
    say(`${link.name}: node ${facts.node}, npm ${facts.npm}, ${facts.platform}-${facts.arch} (Node ABI ${facts.modules}), HOME ${facts.home}`);
    return await bootstrapLocked(link, { facts, options, say, started });
  } finally {
    await lock.release().catch((error: unknown) => say(`note: could not release the bootstrap lock on ${link.name}: ${(error as Error).message}`));
  }
}

async function bootstrapLocked(link: HostLink, run: { facts: HostFacts; options: BootstrapOptions; say: (line: string) => void; started: number }): Promise<BootstrapResult> {
  const { facts, options, say, started } = run;
  const given = options.bundleDir === undefined ? null : await readBundle(options.bundleDir);
  const version = given?.root.version ?? readPackageJson(locateCbDir({ env: options.env ?? process.env })).version;
  const base = { host: link.name, version, previous: facts.installed, bin: `${facts.home}/.flotilla/bin/cb`, node: facts.node!, npm: facts.npm! };
  if (facts.installed === version && options.force !== true) {
    say(`cb ${version} is already installed on ${link.name} (${base.bin}); --force installs it again`);
    return { ...base, status: 'already-installed', packages: 0, bytes: 0, daemon: null, durationMs: Date.now() - started };
  }
  if (facts.cbOnPath !== null && facts.cbOnPath !== base.bin) say(`note: ${link.name} also has a cb at ${facts.cbOnPath}; the hub uses ${base.bin} first`);
  const scratch = given === null ? await mkdtemp(join(tmpdir(), 'flotilla-bundle-')) : null;
  try {
    const bundleDir = options.bundleDir ?? scratch!;
    const manifest = given ?? (await packCbBundle({ outDir: bundleDir, onProgress: say, ...(options.env === undefined ? {} : { env: options.env }) })).manifest;
    requireMatchingRuntime(link.name, facts, manifest);
    requireSpace(link.name, facts, manifest);
    const paths = remotePaths(facts, manifest);
    const bytes = await upload(link, { paths, manifest, bundleDir, say });
    await install(link, { paths, manifest, say, npm: facts.npm! });
    const previousBin = await swap(link, { paths, manifest, say });
    const daemon = await restartDaemon(link, { home: facts.home, previousBin, say });
    await cleanUp(link, { paths, previousBin, say });
    say(`installed cb ${manifest.root.version} on ${link.name}: ${base.bin}`);
    return { ...base, version: manifest.root.version, status: 'installed', packages: manifest.packages.length, bytes, daemon, durationMs: Date.now() - started };
  } finally {
    if (scratch !== null) await rm(scratch, { recursive: true, force: true });
  }
}

interface StepContext {
  paths: RemotePaths;
  manifest: BundleManifest;
  say: (line: string) => void;
}

function remotePaths(facts: HostFacts, manifest: BundleManifest): RemotePaths {
  const version = manifest.root.version;
  const stamp = new Date().toISOString().replace(/[-:]/g, '');
  return { home: facts.home, bundle: `${facts.home}/.flotilla/bootstrap/${version}`, files: manifest.packages.map((pkg) => pkg.file), install: `${version}-${stamp}` };
}

async function upload(link: HostLink, context: StepContext & { bundleDir: string }): Promise<number> {
  const { paths, manifest, say } = context;
  const bytes = manifest.packages.reduce((sum, pkg) => sum + pkg.bytes, 0);
  say(`uploading ${manifest.packages.length} packages (${formatBytes(bytes)}) over SFTP to ${paths.bundle}`);
  // umask 077: a ~/.flotilla made here is private, as cb itself makes it (it will hold the daemon's token).
  await runRemote(link, { what: `creating ${paths.bundle}`, script: `umask 077\nmkdir -p ${shQuote(paths.bundle)}\n`, timeoutMs: 30_000 });
  const files = [...paths.files, MANIFEST_FILE];
  try {
    await Promise.all(files.map((file) => link.putFile(join(context.bundleDir, file), `${paths.bundle}/${file}`)));
  } catch (error) {
    if (isLinkError(error)) throw new BootstrapError('REMOTE_FAILED', `uploading the bundle to ${link.name} failed: ${error.message}`, { cause: error });
    throw error;
  }
  return bytes;
}

async function install(link: HostLink, context: StepContext & { npm: string }): Promise<void> {
  const { paths, manifest, say } = context;
  const target = `${paths.home}/.flotilla/cb-installs/${paths.install}`;
  say(`installing offline with npm ${context.npm} (no registry) into ${target}`);
  await runRemote(link, { what: 'npm install --offline', script: installScript(paths), timeoutMs: INSTALL_TIMEOUT_MS });
  say('verifying: cb --version, and a daemon started and stopped under a throwaway FLOTILLA_HOME');
  const stdout = await runRemote(link, { what: 'verifying the new cb', script: verifyScript(paths), timeoutMs: VERIFY_TIMEOUT_MS });
  const [printed = '', ...rest] = stdout.split('\n');
  if (printed.trim() !== manifest.root.version) {
    throw new BootstrapError('REMOTE_FAILED', `the new cb on ${link.name} says it is version ${printed.trim() || '(nothing)'}, not ${manifest.root.version}`);
  }
  const daemon = DaemonStatusSchema.safeParse(firstJson(rest.join('\n')));
  if (!daemon.success) throw new BootstrapError('REMOTE_FAILED', `the new cb on ${link.name} started a daemon but printed no daemon status`);
}

/** Points bin/cb at the verified install; returns where it pointed before ('' for nowhere). */
async function swap(link: HostLink, context: StepContext): Promise<string> {
  const { paths, manifest } = context;
  const stdout = await runRemote(link, { what: `linking ${paths.home}/.flotilla/bin/cb`, script: swapScript({ ...paths, version: manifest.root.version }), timeoutMs: 60_000 });
  return /^previous=(.*)$/m.exec(stdout)?.[1]?.trim() ?? '';
}

async function cleanUp(link: HostLink, context: Omit<StepContext, 'manifest'> & { previousBin: string }): Promise<void> {
  const { paths, previousBin, say } = context;
  try {
    const stdout = await runRemote(link, { what: 'removing older installs', script: cleanupScript({ ...paths, previous: previousBin || null }), timeoutMs: 60_000 });
    for (const line of stdout.split('\n').filter((l) => l.startsWith('kept '))) say(line);
  } catch (error) {
    // The new cb is in place and running: leftovers cost disk, not correctness; the next bootstrap removes them.
    say(`note: ${(error as Error).message}`);
  }
}
