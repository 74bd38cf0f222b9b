// `mesh hosts bootstrap` for real: the hub's own cb packed into tarballs (pnpm store, workspace
// packages, better-sqlite3's native build), then installed by the real npm on a namespace host
// over real SSH/SFTP, with that host's npm registry unreachable and HOME a fresh directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPaths, type MeshCliContext } from '../cli/context.js';
import { addHostEntry } from '../hosts/hosts-file.js';
import { ensureRemoteDaemon } from '../hub/daemon-discovery.js';
import type { HostLink } from '../link/host-link.js';
import { openHostLink } from '../link/open-host-link.js';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHost, type NetnsHosts } from '../test-support/netns.test-support.js';
import { useBareHome } from './bare-home.test-support.js';
import { sharedCbBundle } from './shared-bundle.test-support.js';
import { registerBootstrapCommand } from './bootstrap-command.js';
import { isBootstrapError } from './bootstrap-errors.js';
import { bootstrapHost } from './bootstrap-host.js';
import { readBundle, type BundleManifest } from './bundle-manifest.js';
import type { CbBundle } from './pack-bundle.js';
import { probeHost, requireMatchingRuntime, requireNodeAndNpm } from './remote-probe.js';
import { runRemote } from './remote-shell.js';
import { tarGz } from './tar-writer.js';

const skip = netnsUnavailableReason();

describe('tarGz', () => {
  it('should write tarballs the system tar reads, long paths and modes included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-tar-'));
    try {
      const long = `package/${'deep/'.repeat(40)}file.js`;
      const split = `package/${'a'.repeat(120)}/b.js`;
      writeFileSync(join(dir, 'x.tgz'), await tarGz([
        { path: 'package/bin/run', data: Buffer.from('#!/bin/sh\n'), mode: 0o100775 },
        { path: long, data: Buffer.from('long'), mode: 0o644 },
        { path: split, data: Buffer.from('split'), mode: 0o644 },
      ]));
      execFileSync('tar', ['-xzf', 'x.tgz'], { cwd: dir });
      expect(readFileSync(join(dir, long), 'utf8')).toBe('long');
      expect(readFileSync(join(dir, split), 'utf8')).toBe('split');
      expect(execFileSync('stat', ['-c', '%a', join(dir, 'package/bin/run')], { encoding: 'utf8' }).trim()).toBe('755');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skip !== null)(`mesh hosts bootstrap to a namespace host${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let scratch: string;
  let bundle: CbBundle;
  let net: NetnsHosts;
  let host: NetnsHost;
  let remoteHome: string;
  let link: HostLink;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mesh-bootstrap-'));
    bundle = await sharedCbBundle(join(scratch, 'bundle'));
    net = await startNetnsHosts({ count: 1, prefix: 'bs' });
    host = net.hosts[0]!;
    remoteHome = await useBareHome(net, host, scratch);
    link = openHostLink({ name: host.name, target: host.name, sshConfig: net.sshConfig, agentSocket: null });
    await link.ready();
  }, 240_000);

  afterAll(async () => {
    if (host !== undefined && existsSync(join(remoteHome, '.flotilla', 'bin', 'cb'))) {
      await net.ssh(host, '"$HOME/.flotilla/bin/cb" daemon stop').catch(() => undefined);
    }
    await link?.close();
    await net?.down();
    rmSync(scratch, { recursive: true, force: true });
  }, 120_000); // stops a daemon over SSH, then the host (its daemon, tmux and sshd): a minute is short on a loaded machine

  it('should pack cb, kit, protocol and their dependencies, the native build included and no workspace: spec left', async () => {
    const { manifest } = bundle;
    const names = manifest.packages.map((pkg) => pkg.name);
    expect(names[0]).toBe('@flotilla/cb');
    expect(names).toEqual(expect.arrayContaining(['@flotilla/kit', '@flotilla/protocol', 'better-sqlite3', 'hono', '@hono/node-server', 'zod', 'drizzle-orm', 'commander', 'ws']));
    expect(new Set(manifest.packages.map((pkg) => `${pkg.name}@${pkg.version}`)).size).toBe(names.length);
    expect(manifest.packages.find((pkg) => pkg.name === 'better-sqlite3')?.native).toContain('build/Release/better_sqlite3.node');
    expect(manifest.hub).toMatchObject({ platform: process.platform, arch: process.arch, modules: process.versions.modules });
    expect(await readBundle(bundle.dir)).toEqual(manifest);
    for (const pkg of manifest.packages) {
      const json = execFileSync('tar', ['-xzOf', join(bundle.dir, pkg.file), 'package/package.json'], { encoding: 'utf8' });
      expect(json, pkg.name).not.toContain('workspace:');
      expect(JSON.parse(json)).toMatchObject({ name: pkg.name, version: pkg.version });
    }
    const cbFiles = execFileSync('tar', ['-tzf', join(bundle.dir, manifest.packages[0]!.file)], { encoding: 'utf8' }).split('\n');
    expect(cbFiles).toContain('package/bin/cb.cjs');
    expect(cbFiles.some((file) => file.startsWith('package/src/') || file.endsWith('.map') || file.includes('node_modules'))).toBe(false);
    const sqliteFiles = execFileSync('tar', ['-tzf', join(bundle.dir, 'better-sqlite3-12.11.1.tgz')], { encoding: 'utf8' });
    expect(sqliteFiles).toContain('package/build/Release/better_sqlite3.node');
    expect(sqliteFiles).not.toContain('obj.target');
  });

  it('should start from a host without cb whose npm cannot reach any registry', async () => {
    const { stdout } = await net.ssh(host, 'printf "%s %s\\n" "$HOME" "$(command -v cb || echo none)"');
    expect(stdout.trim()).toBe(`${remoteHome} none`);
    const npm = await runRemote(link, { what: 'npm view', script: 'npm view zod version --fetch-retries=0 2>&1 || echo "registry unreachable"\n', timeoutMs: 60_000 });
    expect(npm).toContain('registry unreachable');
  });

  it('should install cb offline over SFTP, and the hub then finds it and starts a daemon with it', async () => {
    const progress: string[] = [];
    const result = await bootstrapHost(link, { bundleDir: bundle.dir, onProgress: (line) => progress.push(line) });
    expect(result).toMatchObject({ host: host.name, status: 'installed', version: '0.1.0', previous: null, bin: `${remoteHome}/.flotilla/bin/cb`, packages: bundle.manifest.packages.length });
    expect(progress.join('\n')).toMatch(/uploading \d+ packages[\s\S]*installing offline[\s\S]*verifying/);
    const version = await net.ssh(host, '"$HOME/.flotilla/bin/cb" --version');
    expect(version.stdout.trim()).toBe('0.1.0');
    // Nothing was left in the remote HOME but ~/.flotilla, and npm's own cache there is gone.
    expect(execFileSync('ls', ['-A', remoteHome], { encoding: 'utf8' }).trim()).toBe('.flotilla');
    // The lock is gone; one install, linked.
    expect(execFileSync('ls', ['-A', join(remoteHome, '.flotilla')], { encoding: 'utf8' }).trim().split('\n')).toEqual(['bin', 'bootstrap', 'cb-installs']);
    expect(existsSync(join(remoteHome, '.flotilla', 'bootstrap', '0.1.0', '.npm-cache'))).toBe(false);
    const [install] = readdirSync(join(remoteHome, '.flotilla', 'cb-installs'));
    expect(install).toMatch(/^0\.1\.0-\d{8}T\d{6}\.\d{3}Z$/);
    expect(readlinkSync(join(remoteHome, '.flotilla', 'bin', 'cb'))).toBe(`../cb-installs/${install}/node_modules/.bin/cb`);
    expect(result.daemon).toBeNull();
    expect(statSync(join(remoteHome, '.flotilla')).mode & 0o777).toBe(0o700);
    const discovery = await ensureRemoteDaemon(link, { timeoutMs: 90_000 });
    expect(discovery.kind, JSON.stringify(discovery)).toBe('running');
    const status = await net.ssh(host, '"$HOME/.flotilla/bin/cb" daemon status --json');
    const daemon = JSON.parse(status.stdout) as { pid: number; version: string; home: string };
    expect(daemon).toMatchObject({ version: '0.1.0', home: host.home });
    expect(discovery.kind === 'running' && discovery.status.pid).toBe(daemon.pid);
    const exe = await net.ssh(host, `tr '\\0' ' ' < /proc/${daemon.pid}/cmdline`);
    expect(exe.stdout).toContain(`${remoteHome}/.flotilla/cb-installs/${install}/node_modules/@flotilla/cb/`);
    await net.ssh(host, '"$HOME/.flotilla/bin/cb" daemon stop');
  }, 400_000);

  it('should say it is already installed the second time, through `mesh hosts bootstrap NAME --json`', async () => {
    const clientHome = join(net.dir, 'client-home');
    writeFileSync(join(clientHome, '.ssh', 'config'), `Include ${net.sshConfigPath}\n`);
    const flotillaHome = join(scratch, 'hub');
    const { ctx, out, err } = captureContext({ HOME: clientHome, USER: 'root', FLOTILLA_HOME: flotillaHome });
    await addHostEntry(ctx.paths.hosts, { name: host.name, spec: host.name, addedAt: new Date().toISOString() });
    const program = new Command('mesh').exitOverride();
    registerBootstrapCommand(program.command('hosts'), ctx);
    await program.parseAsync(['hosts', 'bootstrap', host.name, '--json'], { from: 'user' });
    expect(JSON.parse(out.join(''))).toMatchObject({ host: host.name, status: 'already-installed', version: '0.1.0', previous: '0.1.0', packages: 0 });
    expect(err.join('')).toContain('already installed');
  }, 120_000);

  it("should install again beside the previous install with --force, keep that one, and drop older installs, the old layout and other versions' tarballs", async () => {
    const flotilla = join(remoteHome, '.flotilla');
    const stale = join(flotilla, 'bootstrap', '0.0.9');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'old.tgz'), 'old');
    // What earlier bootstraps left (the old layout), an interrupted install, and an install two back.
    for (const dir of ['cb', 'cb.new', 'cb-installs/0.0.8-20260101T000000.000Z', 'cb-installs/0.1.0-20260102T000000.000Z']) mkdirSync(join(flotilla, dir, 'node_modules'), { recursive: true });
    const before = readlinkSync(join(flotilla, 'bin', 'cb'));
    const result = await bootstrapHost(link, { bundleDir: bundle.dir, force: true });
    expect(result).toMatchObject({ status: 'installed', version: '0.1.0', previous: '0.1.0', daemon: null });
    expect(existsSync(stale)).toBe(false);
    const after = readlinkSync(join(flotilla, 'bin', 'cb'));
    expect(after).not.toBe(before);
    const installOf = (target: string) => target.split('/')[2];
    expect(readdirSync(join(flotilla, 'cb-installs')).sort()).toEqual([installOf(before), installOf(after)].sort());
    expect(readdirSync(flotilla).sort()).toEqual(['bin', 'bootstrap', 'cb-installs']);
    expect((await net.ssh(host, '"$HOME/.flotilla/bin/cb" --version')).stdout.trim()).toBe('0.1.0');
  }, 400_000);

  it('should go back to the previous install and start its daemon again when the new daemon does not start', async () => {
    const bin = join(remoteHome, '.flotilla', 'bin', 'cb');
    const before = readlinkSync(bin);
    await net.ssh(host, '"$HOME/.flotilla/bin/cb" daemon start');
    // Once the old daemon is stopped, the new install's daemon is broken (its verification has passed by then).
    const breakNewDaemon = (line: string) => {
      if (!line.startsWith('stopped the old daemon')) return;
      const installDir = join(remoteHome, '.flotilla', readlinkSync(bin).replace(/^\.\.\//, '').replace(/\/node_modules\/\.bin\/cb$/, ''));
      writeFileSync(join(installDir, 'node_modules', '@flotilla', 'cb', 'dist', 'daemon', 'main.js'), 'process.exit(3);\n');
    };
    const failed = await bootstrapHost(link, { bundleDir: bundle.dir, force: true, onProgress: breakNewDaemon }).catch((error: unknown) => error as Error);
    expect(isBootstrapError(failed, 'REMOTE_FAILED'), String(failed)).toBe(true);
    expect(failed.message).toMatch(/^starting the new cb daemon failed on \w+ \(exit \d+\)/);
    const back = /The previous cb \(0\.1\.0\) is back in place and its daemon runs again \(pid (\d+)\)/.exec(failed.message);
    expect(back, failed.message).not.toBeNull();
    expect(readlinkSync(bin)).toBe(before);
    const status = JSON.parse((await net.ssh(host, '"$HOME/.flotilla/bin/cb" daemon status --json')).stdout) as { pid: number };
    expect(status.pid).toBe(Number(back![1]));
    const exe = await net.ssh(host, `tr '\\0' ' ' < /proc/${status.pid}/cmdline`);
    expect(exe.stdout).toContain(join(remoteHome, '.flotilla', before.replace(/^\.\.\//, '').replace(/\/node_modules\/\.bin\/cb$/, '')));
    expect(existsSync(join(remoteHome, '.flotilla', 'bootstrap.lock'))).toBe(false);
    await net.ssh(host, '"$HOME/.flotilla/bin/cb" daemon stop');
  }, 400_000);

  it('should refuse, in words, a host whose node is too old or missing, or whose Node ABI differs from the bundle\'s native build', async () => {
    const facts = await probeHost(link);
    expect(facts).toMatchObject({ home: remoteHome, node: process.version, installed: '0.1.0', platform: process.platform });
    expect(() => requireNodeAndNpm(host.name, { ...facts, node: 'v18.19.0' })).toThrow(`${host.name} has node v18.19.0; cb needs Node 20 or newer there`);
    expect(() => requireNodeAndNpm(host.name, { ...facts, node: null })).toThrow(/has no node on the SSH user's PATH/);
    expect(() => requireNodeAndNpm(host.name, { ...facts, npm: null })).toThrow(/but no npm on PATH/);
    const other: BundleManifest = { ...bundle.manifest, hub: { ...bundle.manifest.hub, modules: '999', node: 'v99.0.0' } };
    expect(() => requireMatchingRuntime(host.name, facts, other)).toThrow(
      new RegExp(`Node ABI ${process.versions.modules}\\).*better-sqlite3@12\\.11\\.1.*Node ABI 999.*npm i -g @flotilla/cb`),
    );
  });

  it('should report a failing remote step with its exit code and last lines of stderr, and a full disk in words', async () => {
    await expect(runRemote(link, { what: 'a step', script: 'echo first >&2\necho last >&2\nexit 7\n', timeoutMs: 30_000 })).rejects.toThrow(
      `a step failed on ${host.name} (exit 7):\n  first\n  last`,
    );
    await expect(runRemote(link, { what: 'npm install', script: 'echo "npm error code ENOSPC" >&2\nexit 228\n', timeoutMs: 30_000 })).rejects.toThrow(
      `npm install failed on ${host.name} (exit 228): the disk is full (no space left on device); free some space on the host and run it again:\n  npm error code ENOSPC`,
    );
  });

  it('should refuse a host whose disk is too small before copying anything, and say so when ~/.flotilla cannot be written', async () => {
    const small = join(scratch, 'small-home');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', small]);
    try {
      await useBareHome(net, host, scratch, small);
      const tiny = openHostLink({ name: host.name, target: host.name, sshConfig: net.sshConfig, agentSocket: null });
      try {
        await tiny.ready();
        const full = await bootstrapHost(tiny, { bundleDir: bundle.dir }).catch((error: unknown) => error as Error);
        expect(isBootstrapError(full, 'NO_SPACE'), String(full)).toBe(true);
        expect(full.message).toMatch(new RegExp(`^${host.name} has 8 MiB free on the disk holding ${small}; installing cb needs about \\d+ MiB \\(the bundle, its install and npm's cache while it runs\\): free some space there and run it again$`));
        expect(readdirSync(join(small, '.flotilla'))).toEqual([]);
        execFileSync('mount', ['-o', 'remount,ro', small]);
        await expect(bootstrapHost(tiny, { bundleDir: bundle.dir })).rejects.toThrow(/^taking the bootstrap lock .* failed on \w+ \(exit 1\): the file system is read-only there; ~\/\.flotilla must be writable:/);
      } finally {
        await tiny.close();
      }
    } finally {
      execFileSync('umount', [small]);
      await useBareHome(net, host, scratch);
    }
  }, 120_000);
});

function captureContext(env: Record<string, string>): { ctx: MeshCliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: MeshCliContext = {
    env,
    streams: { stdout: { write: (chunk: string) => out.push(chunk) }, stderr: { write: (chunk: string) => err.push(chunk) }, stdin: (async function* () {})() },
    paths: hubPaths(env),
    hub: async () => {
      throw new Error('bootstrap does not talk to the hub');
    },
    now: () => Date.now(),
  };
  return { ctx, out, err };
}
