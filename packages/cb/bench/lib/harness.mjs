/**
 * A throwaway FLOTILLA_HOME with the fake agent configured, and a daemon on it. Everything made
 * here is undone by the cleanup stack: the daemon, the home's tmux server, the runners and agents
 * it started, and the temp directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { homePaths } from '../../dist/home.js';
import { onCleanup, sleepSync } from './cleanup.mjs';
import { request } from './http.mjs';
import { isAlive, signal, terminate, waitGone } from './proc.mjs';

export const CB_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const DAEMON_MAIN = join(CB_DIR, 'dist/daemon/main.js');
export const CB_BIN = join(CB_DIR, 'bin/cb.cjs');
export const FAKE_AGENT = join(CB_DIR, 'bench/fake-agent.mjs');

/** How long a fresh daemon gets to answer /health (it runs migrations first). */
const DAEMON_READY_MS = 20_000;

/**
 * The config's custom agent `fake`: node (by absolute path, so the daemon's PATH check passes)
 * running fake-agent.mjs with the prompt as one argument.
 */
export function fakeAgentDefinition({ seconds, intervalMs }) {
  return {
    argv: [process.execPath, FAKE_AGENT, '{prompt}'],
    promptVia: 'arg',
    outputFormat: 'stream-json',
    env: { FAKE_AGENT_SECONDS: String(seconds), FAKE_AGENT_INTERVAL_MS: String(intervalMs) },
  };
}

/** A temp dir holding FLOTILLA_HOME (`fl/`) and a HOME for the agents (`home/`), removed on exit. */
export function createBenchHome(name, config) {
  const root = mkdtempSync(join(tmpdir(), `cb-bench-${name}-`));
  const home = join(root, 'fl');
  const userHome = join(root, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(userHome, { recursive: true });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ notifySend: false, ...config }, null, 2));
  const paths = homePaths(home);
  const env = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: userHome,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TMPDIR: tmpdir(),
    FLOTILLA_HOME: home,
    FLOTILLA_HOST_NAME: 'bench',
  };
  const bench = { root, home, paths, env };
  onCleanup(() => removeBenchHome(bench));
  return bench;
}

/**
 * Starts `node dist/daemon/main.js` on the home and waits for /health; stopped on exit.
 * CB_BENCH_DAEMON_ARGS adds node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (the daemon
 * exits cleanly on SIGTERM, so the profile is written); CB_BENCH_DAEMON_ENV adds variables, e.g.
 * `UV_THREADPOOL_SIZE=16 DEBUG=cb:*` (space-separated NAME=value pairs).
 */
export async function startDaemon(bench) {
  if (!existsSync(DAEMON_MAIN)) throw new Error(`${DAEMON_MAIN} is missing: build first (pnpm turbo run build)`);
  const log = openSync(bench.paths.daemonLog, 'a');
  const nodeArgs = (process.env.CB_BENCH_DAEMON_ARGS ?? '').split(' ').filter(Boolean);
  const extraEnv = Object.fromEntries((process.env.CB_BENCH_DAEMON_ENV ?? '').split(' ').filter((pair) => pair.includes('=')).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  const child = spawn(process.execPath, [...nodeArgs, DAEMON_MAIN], { env: { ...bench.env, ...extraEnv }, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  child.unref();
  const pid = child.pid;
  onCleanup(() => terminate([pid], 5000));
  const deadline = Date.now() + DAEMON_READY_MS;
  for (;;) {
    const health = await request(bench.paths.socket, 'GET', '/health').catch(() => null);
    if (health?.status === 200) return { pid, health: health.body };
    if (!isAlive(pid) || Date.now() > deadline) {
      throw new Error(`the daemon did not come up:\n${readFileSync(bench.paths.daemonLog, 'utf8').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runner pids: the pane of every attempt session is the runner itself (tmux `exec`s it). */
export function tmuxPanePids(paths) {
  const out = spawnSync('tmux', ['-L', paths.tmuxSocketName, 'list-panes', '-a', '-F', '#{pane_pid}'], { encoding: 'utf8' });
  return (out.stdout ?? '').split('\n').map(Number).filter((pid) => pid > 0);
}

/** Agent pids from every attempt's started.json (each agent leads its own process group). */
/**
 * The agents of the home's attempts that still run. A pid from an old `started.json` is checked
 * against the process's environment (its FLOTILLA_JOB_ID): after hundreds of jobs the kernel
 * reuses pids, and a cleanup that killed every recorded pid once took down an unrelated pnpm.
 */
export function agentPids(paths) {
  const pids = [];
  for (const job of safeReaddir(paths.jobsDir)) {
    const attempts = join(paths.jobsDir, job, 'attempts');
    for (const n of safeReaddir(attempts)) {
      try {
        const first = readFileSync(join(attempts, n, 'started.json'), 'utf8').split('\n')[0];
        const pid = JSON.parse(first).agentPid;
        if (Number.isInteger(pid) && pid > 0 && carriesJob(pid, job)) pids.push(pid);
      } catch {
        // not started
      }
    }
  }
  return pids;
}

function carriesJob(pid, jobId) {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`FLOTILLA_JOB_ID=${jobId}`);
  } catch {
    return false;
  }
}

function safeReaddir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Kills the home's tmux server and whatever ran in it, then removes the temp dir. Runs after the
 * daemon is stopped (registered first, so it runs last), so nothing starts new attempts meanwhile.
 */
function removeBenchHome(bench) {
  const runners = tmuxPanePids(bench.paths);
  const agents = agentPids(bench.paths).filter(isAlive);
  spawnSync('tmux', ['-L', bench.paths.tmuxSocketName, 'kill-server'], { stdio: 'ignore' });
  for (const pid of agents) signal(-pid, 'SIGKILL') || signal(pid, 'SIGKILL');
  if (!waitGone(runners, 3000)) for (const pid of runners) signal(pid, 'SIGKILL');
  waitGone([...runners, ...agents], 1000);
  for (let i = 0; i < 5; i++) {
    try {
      rmSync(bench.root, { recursive: true, force: true });
      break;
    } catch {
      sleepSync(100); // a runner's last write racing the removal
    }
  }
  if (!bench.paths.socket.startsWith(bench.root)) rmSync(bench.paths.socket, { force: true });
}
