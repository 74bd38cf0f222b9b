/**
 * What a host offers for bootstrap: HOME, node and npm versions, the platform, architecture and
 * Node ABI that node reports, and the `cb` bootstrap installed before (if any). One exec, its
 * `key=value` lines read with zod.
 */
import { z } from 'zod';
import { REMOTE_PATH_PREFIX } from '../hub/daemon-discovery.js';
import type { HostLink } from '../link/host-link.js';
import { BootstrapError } from './bootstrap-errors.js';
import { hasNative, type BundleManifest } from './bundle-manifest.js';
import { runRemote } from './remote-shell.js';

/** node ≥ 20: what cb is built and tested for. */
export const MIN_NODE_MAJOR = 20;
const PROBE_TIMEOUT_MS = 30_000;
export const MANUAL_INSTALL = 'npm i -g @flotilla/cb';

const PROBE_SCRIPT = `${REMOTE_PATH_PREFIX}
printf 'home=%s\\n' "$HOME"
printf 'node=%s\\n' "$(node --version 2>/dev/null)"
printf 'npm=%s\\n' "$(npm --version 2>/dev/null)"
printf 'runtime=%s\\n' "$(node -p 'process.platform+" "+process.arch+" "+process.versions.modules' 2>/dev/null)"
printf 'installed=%s\\n' "$("$HOME/.flotilla/bin/cb" --version 2>/dev/null | head -n 1)"
printf 'cbOnPath=%s\\n' "$(command -v cb 2>/dev/null)"
printf 'freeKb=%s\\n' "$(df -Pk "$HOME" 2>/dev/null | awk 'NR==2 {print $4}')"
`;

const ProbeLinesSchema = z.object({
  home: z.string().startsWith('/', 'HOME is not an absolute path'),
  node: z.string(),
  npm: z.string(),
  runtime: z.string(),
  installed: z.string(),
  cbOnPath: z.string(),
  freeKb: z.string().regex(/^\d*$/, 'not a number of KiB'),
});

export interface HostFacts {
  home: string;
  /** `v20.20.2`, or null when there is no node on PATH. */
  node: string | null;
  npm: string | null;
  platform: string | null;
  arch: string | null;
  modules: string | null;
  /** The version `$HOME/.flotilla/bin/cb --version` prints, or null. */
  installed: string | null;
  /** Where `cb` is found on the hub's remote PATH, or null. */
  cbOnPath: string | null;
  /** Free bytes on the file system holding HOME (`df`), or null when df said nothing. */
  freeBytes: number | null;
}

export async function probeHost(link: HostLink): Promise<HostFacts> {
  const stdout = await runRemote(link, { what: 'checking node and npm', script: PROBE_SCRIPT, timeoutMs: PROBE_TIMEOUT_MS });
  const lines = Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^([A-Za-z]+)=(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1], match[2]!.trim()]),
  );
  const parsed = ProbeLinesSchema.safeParse(lines);
  if (!parsed.success) throw new BootstrapError('REMOTE_FAILED', `${link.name} answered the probe unexpectedly: ${z.prettifyError(parsed.error)}`);
  const { home, node, npm, runtime, installed, cbOnPath, freeKb } = parsed.data;
  const [platform, arch, modules] = runtime.split(' ');
  return {
    home,
    node: node || null,
    npm: npm || null,
    platform: platform || null,
    arch: arch || null,
    modules: modules || null,
    installed: installed || null,
    cbOnPath: cbOnPath || null,
    freeBytes: freeKb === '' ? null : Number(freeKb) * 1024,
  };
}

/** Refuses a host without node ≥ 20 and npm, in words. */
export function requireNodeAndNpm(host: string, facts: HostFacts): void {
  const major = facts.node === null ? null : Number(/^v(\d+)\./.exec(facts.node)?.[1]);
  if (facts.node === null || major === null) {
    throw new BootstrapError('HOST_UNSUITABLE', `${host} has no node on the SSH user's PATH (nor in ~/.flotilla/bin, ~/.local/bin, ~/.npm-global/bin, /usr/local/bin): install Node ${MIN_NODE_MAJOR} or newer there`);
  }
  if (!(major >= MIN_NODE_MAJOR)) {
    throw new BootstrapError('HOST_UNSUITABLE', `${host} has node ${facts.node}; cb needs Node ${MIN_NODE_MAJOR} or newer there`);
  }
  if (facts.npm === null) throw new BootstrapError('HOST_UNSUITABLE', `${host} has node ${facts.node} but no npm on PATH: install npm there (it installs the bundle offline)`);
}

/** Refuses a host whose platform, architecture or Node ABI cannot load the bundle's native builds. */
export function requireMatchingRuntime(host: string, facts: HostFacts, manifest: BundleManifest): void {
  if (!hasNative(manifest)) return;
  const hub = manifest.hub;
  if (facts.platform === hub.platform && facts.arch === hub.arch && facts.modules === hub.modules) return;
  const native = manifest.packages.filter((pkg) => pkg.native.length > 0).map((pkg) => `${pkg.name}@${pkg.version}`).join(', ');
  throw new BootstrapError(
    'PLATFORM_MISMATCH',
    `${host} runs node ${facts.node ?? '?'} on ${facts.platform ?? '?'}-${facts.arch ?? '?'} (Node ABI ${facts.modules ?? '?'}), ` +
      `but the bundle's native builds (${native}) were made on ${hub.platform}-${hub.arch} for Node ABI ${hub.modules} (node ${hub.node}), so they cannot load there. ` +
      `Install cb on ${host} from the registry instead: ${MANUAL_INSTALL}`,
  );
}

/**
 * What the install takes, as a multiple of its tarballs' size: measured, cb's 7.2 MiB bundle
 * installs to 50 MiB, and npm's private cache (removed after) holds a copy of the tarballs while
 * it runs; the tarballs themselves stay beside the install.
 */
const INSTALL_EXPANSION = 9;
const SPACE_MARGIN_BYTES = 16 * 1024 * 1024;

/** Refuses, before anything is copied, a host whose disk has too little room for the bundle and its install. */
export function requireSpace(host: string, facts: HostFacts, manifest: BundleManifest): void {
  if (facts.freeBytes === null) return;
  const bundle = manifest.packages.reduce((sum, pkg) => sum + pkg.bytes, 0);
  const needed = bundle * INSTALL_EXPANSION + SPACE_MARGIN_BYTES;
  if (facts.freeBytes >= needed) return;
  const mib = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MiB`;
  throw new BootstrapError('NO_SPACE', `${host} has ${mib(facts.freeBytes)} free on the disk holding ${facts.home}; installing cb needs about ${mib(needed)} (the bundle, its install and npm's cache while it runs): free some space there and run it again`);
}
