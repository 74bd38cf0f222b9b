// Tests only: a real `mesh serve` with TWO fleet hosts over two loopback sshds — `box` (this
// machine's host, one slot) and `far` (two slots) — each with its own FLOTILLA_HOME, cb daemon
// (started by the hub) and scripted agent. `far` stands for another machine: its cb runs in a mount
// namespace of its own where the repo's path shows far's own clone of the same origin, and where
// the second repo (`web`) does not exist — so a checkout at "the same path on every host" really is
// another checkout. Plus `flotilla-director` run as a child against the hub's URL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, openSync, readFileSync, symlinkSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpTransport } from '@flotilla/kit/transport';
import { createBoardClient, HostSchema, JobPageSchema, type BoardClient, type Host, type Job, type Transport } from '@flotilla/protocol';
import { makeTempDir, startLoopbackSshd, type TempDir } from '@flotilla/testkit';
import { AGENT_SCRIPT, DIRECTOR_ARGV } from './cb-world.js';
import { makeRepoWithRemote, type RepoWithRemote } from './git-fixture.js';
import { MESH_BIN, firstJsonUrl, stopChild } from './mesh-hub-world.js';
import { git } from '../git/run-git.js';
import { PACKAGE_DIR } from './run-ts.js';

const CB_BIN = fileURLToPath(new URL('../../../cb/bin/cb.cjs', import.meta.url));
const HOSTS_UP_MS = 60_000;
export type FleetHostName = 'box' | 'far';

export interface RemoteHubWorld extends AsyncDisposable {
  tmp: TempDir;
  url: string;
  transport: Transport;
  board: BoardClient;
  /** On every host at this path: the director's checkout here, far's own clone there. */
  api: RepoWithRemote;
  /** Only this machine has it (far's namespace hides it). */
  web: RepoWithRemote;
  /** far's own clone of api's origin (what far sees at `api.repo`). */
  farClone: string;
  hosts(): Promise<Host[]>;
  /** Every job the hub knows carrying `tag`. */
  jobs(tag: string): Promise<Job[]>;
  /** While on, the host's scripted agent waits before it writes anything. */
  hold(host: FleetHostName, on: boolean): Promise<void>;
  writeConfig(config: Record<string, unknown>, name: string): Promise<string>;
  director(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  spawnDirector(args: string[]): ChildProcess;
  logs(): string;
}

export async function startRemoteHubWorld(): Promise<RemoteHubWorld> {
  const tmp = await makeTempDir('director-remote-');
  const at = (...parts: string[]) => join(tmp.path, ...parts);
  const cleanups: (() => PromiseLike<void> | void)[] = [() => tmp[Symbol.asyncDispose]()];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  };
  try {
    for (const dir of ['hub', 'director-home', 'empty']) await mkdir(at(dir), { recursive: true });
    const api = await makeRepoWithRemote(tmp.path, 'api');
    const web = await makeRepoWithRemote(at('web-home'), 'web');
    const farClone = at('far-clone');
    await git(tmp.path, ['clone', '--quiet', api.remote, farClone]);
    // far's cb (and so its daemon, tmux and agents) lives in a mount namespace: api's path shows far's clone, web's home is empty.
    const farCb = [
      '#!/bin/sh',
      `exec unshare -m --propagation private sh -c 'mount --bind "${farClone}" "${api.repo}" && mount --bind "${at('empty')}" "${at('web-home')}" && exec "${process.execPath}" "${CB_BIN}" "$@"' cb "$@"`,
      '',
    ].join('\n');
    const box = await startFleetHost(at, 'box', { slots: 1, cb: null }, cleanups);
    const far = await startFleetHost(at, 'far', { slots: 2, cb: farCb }, cleanups);
    // One hub HOME reaches both: far's alias and host key join box's client files, box's key joins far's authorized keys.
    appendFileSync(join(box.sshHome, '.ssh', 'config'), readFileSync(join(far.sshHome, '.ssh', 'config')));
    appendFileSync(join(box.sshHome, '.ssh', 'known_hosts'), readFileSync(join(far.sshHome, '.ssh', 'known_hosts')));
    appendFileSync(join(far.dir, 'authorized_keys'), readFileSync(join(box.sshHome, '.ssh', 'id_ed25519.pub')));
    const addedAt = new Date().toISOString();
    await writeFile(at('hub', 'hosts.json'), JSON.stringify({ version: 1, hosts: ['box', 'far'].map((name) => ({ name, spec: name, addedAt })) }));

    const hubLog = openSync(at('hub.log'), 'a');
    const hubEnv = { ...process.env, HOME: box.sshHome, USER: 'root', FLOTILLA_HOME: at('hub'), FLOTILLA_HOST_NAME: 'hub', SSH_AUTH_SOCK: '', FLOTILLA_DASHBOARD_DIR: '' };
    const hub = spawn(process.execPath, [MESH_BIN, 'serve', '--port', '0', '--json'], { env: hubEnv, stdio: ['ignore', 'pipe', hubLog] });
    closeSync(hubLog);
    cleanups.push(() => stopChild(hub));
    const url = await firstJsonUrl(hub, () => readFileSync(at('hub.log'), 'utf8'));
    const token = (await readFile(at('hub', 'hub-token'), 'utf8')).trim();
    const transport = createHttpTransport(url, { token });
    const logs = (): string =>
      [at('hub.log'), at('box-home', 'daemon.log'), at('far-home', 'daemon.log')].map((path) => `--- ${path}\n${safeRead(path).slice(-3000)}`).join('\n');
    const hosts = async (): Promise<Host[]> => HostSchema.array().parse((await transport.request({ method: 'GET', path: '/api/hosts' })).body);
    const deadline = Date.now() + HOSTS_UP_MS;
    while ((await hosts()).filter((h) => h.state === 'up' && h.mode === 'daemon').length < 2) {
      if (Date.now() > deadline) throw new Error(`the hosts never came up with their daemons: ${JSON.stringify(await hosts())}\n${logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const children = new Set<ChildProcess>();
    cleanups.push(async () => {
      for (const child of children) await stopChild(child);
    });
    const spawnDirector = (args: string[]): ChildProcess => {
      const env = { ...process.env, FLOTILLA_HOME: at('director-home'), FLOTILLA_HUB_TOKEN: token, FLOTILLA_DIRECTOR_POLL_MS: '500' };
      const child = spawn(process.execPath, [...DIRECTOR_ARGV, ...args], { cwd: PACKAGE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.once('close', () => children.delete(child));
      return child;
    };
    return {
      tmp,
      url,
      transport,
      board: createBoardClient(transport),
      api,
      web,
      farClone,
      hosts,
      async jobs(tag) {
        const res = await transport.request({ method: 'GET', path: '/api/jobs', query: { tag, limit: '500' } });
        return JobPageSchema.parse(res.body).items;
      },
      async hold(host, on) {
        if (on) await writeFile(at(`${host}-agent`, 'hold'), '');
        else await rm(at(`${host}-agent`, 'hold'), { force: true });
      },
      async writeConfig(config, name) {
        await writeFile(at(name), JSON.stringify(config, null, 2));
        return at(name);
      },
      async director(args) {
        const child = spawnDirector(args);
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
        return { code, stdout, stderr };
      },
      spawnDirector,
      logs,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One fleet host: its home, user dir, scripted agent, `cb` on PATH (a symlink, or `cb` as a script) and its loopback sshd. */
async function startFleetHost(
  at: (...parts: string[]) => string,
  name: FleetHostName,
  options: { slots: number; cb: string | null },
  cleanups: (() => PromiseLike<void> | void)[],
): Promise<{ sshHome: string; dir: string }> {
  for (const dir of [`${name}-home`, `${name}-user`, `${name}-agent`, `${name}-bin`]) await mkdir(at(dir), { recursive: true });
  const agent = at(`${name}-agent`, 'scripted-agent');
  await writeFile(agent, AGENT_SCRIPT);
  await chmod(agent, 0o755);
  if (options.cb === null) symlinkSync(CB_BIN, at(`${name}-bin`, 'cb'));
  else {
    await writeFile(at(`${name}-bin`, 'cb'), options.cb);
    await chmod(at(`${name}-bin`, 'cb'), 0o755);
  }
  const agents = { scripted: { argv: [agent], promptVia: 'stdin', outputFormat: 'text' } };
  await writeFile(at(`${name}-home`, 'config.json'), JSON.stringify({ notifySend: false, slots: options.slots, agents }));
  const env = {
    HOME: at(`${name}-user`),
    FLOTILLA_HOME: at(`${name}-home`),
    FLOTILLA_HOST_NAME: `${name}-daemon`,
    FLOTILLA_DISCOVERY: 'off',
    PATH: `${at(`${name}-bin`)}:${dirname(process.execPath)}:/usr/bin:/bin:/usr/sbin:/sbin`,
  };
  cleanups.push(() => {
    spawnSync(process.execPath, [CB_BIN, 'daemon', 'stop'], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 15_000 });
    spawnSync('tmux', ['-L', `flotilla-${createHash('sha256').update(at(`${name}-home`)).digest('hex').slice(0, 12)}`, 'kill-server'], { stdio: 'ignore' });
  });
  const dir = at(`${name}-sshd`);
  const sshd = await startLoopbackSshd(dir, { env, aliases: { [name]: '127.0.0.1' } });
  cleanups.push(() => sshd[Symbol.asyncDispose]());
  return { sshHome: sshd.sshHome, dir };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(none)';
  }
}
