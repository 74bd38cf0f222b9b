/**
 * `bootstrapHost`: puts the hub's own `cb` on a host that has node and npm but no registry
 * access. Tarballs go over SFTP into `~/.flotilla/bootstrap/<version>/`, npm installs them
 * offline into `~/.flotilla/cb.new`, that install is verified (its `--version`, and a daemon
 * started and stopped under a throwaway FLOTILLA_HOME), then swapped into `~/.flotilla/cb` and
 * linked as `~/.flotilla/bin/cb` — the first place the hub looks. Nothing else of the user's is
 * touched; a failed run leaves the previous install in place.
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
import { formatBytes, packCbBundle } from './pack-bundle.js';
import { locateCbDir, readPackageJson } from './package-closure.js';
import { probeHost, requireMatchingRuntime, requireNodeAndNpm, type HostFacts } from './remote-probe.js';
import { runRemote, shQuote } from './remote-shell.js';
import { installScript, linkScript, verifyScript } from './remote-scripts.js';

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
  durationMs: number;
}

/**
 * Installs the hub's cb on the host behind `link` (which must be up).
 * @example
 * const result = await bootstrapHost(link, { onProgress: (line) => console.error(line) });
 * // { status: 'installed', version: '0.1.0', bin: '/home/me/.flotilla/bin/cb', … }
 */
export async function bootstrapHost(link: HostLink, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const started = Date.now();
  const say = options.onProgress ?? (() => undefined);
  say(`checking node and npm on ${link.name}`);
  const facts = await probeHost(link);
  requireNodeAndNpm(link.name, facts);
  say(`${link.name}: node ${facts.node}, npm ${facts.npm}, ${facts.platform}-${facts.arch} (Node ABI ${facts.modules}), HOME ${facts.home}`);
  const given = options.bundleDir === undefined ? null : await readBundle(options.bundleDir);
  const version = given?.root.version ?? readPackageJson(locateCbDir({ env: options.env ?? process.env })).version;
  const base = { host: link.name, version, previous: facts.installed, bin: `${facts.home}/.flotilla/bin/cb`, node: facts.node!, npm: facts.npm! };
  if (facts.installed === version && options.force !== true) {
    say(`cb ${version} is already installed on ${link.name} (${base.bin}); --force installs it again`);
    return { ...base, status: 'already-installed', packages: 0, bytes: 0, durationMs: Date.now() - started };
  }
  if (facts.cbOnPath !== null && facts.cbOnPath !== base.bin) say(`note: ${link.name} also has a cb at ${facts.cbOnPath}; the hub uses ${base.bin} first`);
  const scratch = given === null ? await mkdtemp(join(tmpdir(), 'flotilla-bundle-')) : null;
  try {
    const bundleDir = options.bundleDir ?? scratch!;
    const manifest = given ?? (await packCbBundle({ outDir: bundleDir, onProgress: say, ...(options.env === undefined ? {} : { env: options.env }) })).manifest;
    requireMatchingRuntime(link.name, facts, manifest);
    const bytes = await upload(link, { facts, manifest, bundleDir, say });
    await install(link, { facts, manifest, say });
    say(`installed cb ${manifest.root.version} on ${link.name}: ${base.bin}`);
    return { ...base, version: manifest.root.version, status: 'installed', packages: manifest.packages.length, bytes, durationMs: Date.now() - started };
  } finally {
    if (scratch !== null) await rm(scratch, { recursive: true, force: true });
  }
}

interface StepContext {
  facts: HostFacts;
  manifest: BundleManifest;
  say: (line: string) => void;
}

function bundleRemoteDir(facts: HostFacts, manifest: BundleManifest): string {
  return `${facts.home}/.flotilla/bootstrap/${manifest.root.version}`;
}

async function upload(link: HostLink, context: StepContext & { bundleDir: string }): Promise<number> {
  const { facts, manifest, say } = context;
  const remoteDir = bundleRemoteDir(facts, manifest);
  const bytes = manifest.packages.reduce((sum, pkg) => sum + pkg.bytes, 0);
  say(`uploading ${manifest.packages.length} packages (${formatBytes(bytes)}) over SFTP to ${remoteDir}`);
  // umask 077: a ~/.flotilla made here is private, as cb itself makes it (it will hold the daemon's token).
  await runRemote(link, { what: `creating ${remoteDir}`, script: `umask 077\nmkdir -p ${shQuote(remoteDir)}\n`, timeoutMs: 30_000 });
  const files = [...manifest.packages.map((pkg) => pkg.file), MANIFEST_FILE];
  try {
    await Promise.all(files.map((file) => link.putFile(join(context.bundleDir, file), `${remoteDir}/${file}`)));
  } catch (error) {
    if (isLinkError(error)) throw new BootstrapError('REMOTE_FAILED', `uploading the bundle to ${link.name} failed: ${error.message}`, { cause: error });
    throw error;
  }
  return bytes;
}

async function install(link: HostLink, context: StepContext): Promise<void> {
  const { facts, manifest, say } = context;
  const paths = { home: facts.home, bundle: bundleRemoteDir(facts, manifest), files: manifest.packages.map((pkg) => pkg.file) };
  say(`installing offline with npm ${facts.npm} (no registry) into ${facts.home}/.flotilla/cb`);
  await runRemote(link, { what: 'npm install --offline', script: installScript(paths), timeoutMs: INSTALL_TIMEOUT_MS });
  say('verifying: cb --version, and a daemon started and stopped under a throwaway FLOTILLA_HOME');
  const stdout = await runRemote(link, { what: 'verifying the new cb', script: verifyScript(paths), timeoutMs: VERIFY_TIMEOUT_MS });
  const [printed = '', ...rest] = stdout.split('\n');
  if (printed.trim() !== manifest.root.version) {
    throw new BootstrapError('REMOTE_FAILED', `the new cb on ${link.name} says it is version ${printed.trim() || '(nothing)'}, not ${manifest.root.version}`);
  }
  const daemon = DaemonStatusSchema.safeParse(firstJson(rest.join('\n')));
  if (!daemon.success) throw new BootstrapError('REMOTE_FAILED', `the new cb on ${link.name} started a daemon but printed no daemon status`);
  await runRemote(link, { what: `linking ${facts.home}/.flotilla/bin/cb`, script: linkScript({ ...paths, version: manifest.root.version }), timeoutMs: 60_000 });
}

