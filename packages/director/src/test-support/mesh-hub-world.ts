// Tests only: a real `mesh serve` (mesh's built bin, by path: the director depends on neither mesh
// nor cb) with this machine attached as fleet host `box` over real SSH (a loopback sshd whose
// sessions are that host's environment); the hub starts the host's cb daemon itself, which runs the
// scripted agent of cb-world.ts. Plus a real repo with a bare remote, and `flotilla-director` run as
// a child against the hub's URL from a FLOTILLA_HOME of its own (no cb daemon socket there).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, symlinkSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpTransport } from '@flotilla/kit/transport';
import { createBoardClient, HostSchema, type BoardClient, type Host, type Transport } from '@flotilla/protocol';
import { makeTempDir, startLoopbackSshd, type TempDir } from '@flotilla/testkit';
import { AGENT_SCRIPT, DIRECTOR_ARGV } from './cb-world.js';
import { makeRepoWithRemote, type RepoWithRemote } from './git-fixture.js';
import { PACKAGE_DIR } from './run-ts.js';

export const MESH_BIN = fileURLToPath(new URL('../../../mesh/bin/mesh.cjs', import.meta.url));
const CB_BIN = fileURLToPath(new URL('../../../cb/bin/cb.cjs', import.meta.url));
/** The fleet's name for this machine's host. */
export const HOST = 'box';
const HUB_START_MS = 20_000;
const HOST_UP_MS = 45_000;

export interface MeshHubWorld extends AsyncDisposable {
  tmp: TempDir;
  /** `http://127.0.0.1:PORT` */
  url: string;
  transport: Transport;
  board: BoardClient;
  api: RepoWithRemote;
  hosts(): Promise<Host[]>;
  /** Writes a flotilla.yaml (JSON is YAML) and returns its path. */
  writeConfig(config: Record<string, unknown>, name: string): Promise<string>;
  /** Runs `flotilla-director ARGS` to its end. */
  director(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** The hub's and the host daemon's logs, for a failure's message. */
  logs(): string;
}

export async function startMeshHubWorld(): Promise<MeshHubWorld> {
  const tmp = await makeTempDir('director-hub-');
  const at = (...parts: string[]) => join(tmp.path, ...parts);
  for (const dir of ['host', 'host-user', 'bin', 'agent', 'hub', 'director-home']) await mkdir(at(dir), { recursive: true });
  const cleanups: (() => PromiseLike<void> | void)[] = [() => tmp[Symbol.asyncDispose]()];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  };
  try {
    const agent = at('agent', 'scripted-agent');
    await writeFile(agent, AGENT_SCRIPT);
    await chmod(agent, 0o755);
    symlinkSync(CB_BIN, at('bin', 'cb'));
    await writeFile(
      at('host', 'config.json'),
      JSON.stringify({
        notifySend: false,
        slots: 2,
        agents: {
          scripted: { argv: [agent], promptVia: 'stdin', outputFormat: 'text' },
          ghost: { argv: [at('agent', 'not-installed-agent')], promptVia: 'stdin', outputFormat: 'text' },
        },
      }),
    );
    const hostEnv = {
      HOME: at('host-user'),
      FLOTILLA_HOME: at('host'),
      FLOTILLA_HOST_NAME: 'box-daemon',
      FLOTILLA_DISCOVERY: 'off',
      PATH: `${at('bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
    };
    cleanups.push(() => {
      spawnSync(process.execPath, [CB_BIN, 'daemon', 'stop'], { env: { ...process.env, ...hostEnv }, stdio: 'ignore', timeout: 15_000 });
      spawnSync('tmux', ['-L', `flotilla-${createHash('sha256').update(at('host')).digest('hex').slice(0, 12)}`, 'kill-server'], { stdio: 'ignore' });
    });
    const sshd = await startLoopbackSshd(at('sshd'), { env: hostEnv, aliases: { [HOST]: '127.0.0.1' } });
    cleanups.push(() => sshd[Symbol.asyncDispose]());
    const api = await makeRepoWithRemote(tmp.path, 'api');
    await writeFile(at('hub', 'hosts.json'), JSON.stringify({ version: 1, hosts: [{ name: HOST, spec: HOST, addedAt: new Date().toISOString() }] }));

    const hubLog = openSync(at('hub.log'), 'a');
    const hubEnv = { ...process.env, HOME: sshd.sshHome, USER: 'root', FLOTILLA_HOME: at('hub'), FLOTILLA_HOST_NAME: 'hub', SSH_AUTH_SOCK: '', FLOTILLA_DASHBOARD_DIR: '' };
    const hub = spawn(process.execPath, [MESH_BIN, 'serve', '--port', '0', '--json'], { env: hubEnv, stdio: ['ignore', 'pipe', hubLog] });
    closeSync(hubLog);
    cleanups.push(() => stopChild(hub));
    const url = await firstJsonUrl(hub, () => readFileSync(at('hub.log'), 'utf8'));
    const token = (await readFile(at('hub', 'hub-token'), 'utf8')).trim();
    const transport = createHttpTransport(url, { token });
    const logs = (): string =>
      [at('hub.log'), at('host', 'daemon.log')].map((path) => `--- ${path}\n${safeRead(path).slice(-3000)}`).join('\n');
    const hosts = async (): Promise<Host[]> => HostSchema.array().parse((await transport.request({ method: 'GET', path: '/api/hosts' })).body);
    const deadline = Date.now() + HOST_UP_MS;
    while (!(await hosts()).some((h) => h.name === HOST && h.state === 'up' && h.mode === 'daemon')) {
      if (Date.now() > deadline) throw new Error(`${HOST} never came up with its daemon: ${JSON.stringify(await hosts())}\n${logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const children = new Set<ChildProcess>();
    cleanups.push(async () => {
      for (const child of children) await stopChild(child);
    });
    return {
      tmp,
      url,
      transport,
      board: createBoardClient(transport),
      api,
      hosts,
      async writeConfig(config, name) {
        const path = at(name);
        await writeFile(path, JSON.stringify(config, null, 2));
        return path;
      },
      async director(args) {
        const env = { ...process.env, FLOTILLA_HOME: at('director-home'), FLOTILLA_HUB_TOKEN: token, FLOTILLA_DIRECTOR_POLL_MS: '500' };
        const child = spawn(process.execPath, [...DIRECTOR_ARGV, ...args], { cwd: PACKAGE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
        children.add(child);
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
        children.delete(child);
        return { code, stdout, stderr };
      },
      logs,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `mesh serve --json` prints `{socket, url, signInUrl}` once listening. */
export function firstJsonUrl(hub: ChildProcess, log: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`mesh serve printed no address within ${HUB_START_MS} ms:\n${out}\n${log()}`)), HUB_START_MS);
    hub.once('exit', (code) => reject(new Error(`mesh serve exited (${code}):\n${out}\n${log()}`)));
    hub.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /"url"\s*:\s*"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(none)';
  }
}
