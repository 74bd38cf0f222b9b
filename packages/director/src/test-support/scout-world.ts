// Tests only: a real `mesh serve` (mesh's built bin, by path) with no hosts — the hub's real board,
// for the scout's proposals — and a git repo with TODO clusters and a failing test command.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHttpTransport } from '@flotilla/kit/transport';
import { createBoardClient, type BoardClient } from '@flotilla/protocol';
import type { FlowJobRequest, FlowRunJob } from '../flow/flow-runner.js';
import { git } from '../git/run-git.js';
import { makeRepoWithRemote } from './git-fixture.js';
import { MESH_BIN } from './mesh-hub-world.js';

export interface ScoutHub extends AsyncDisposable {
  url: string;
  token: string;
  board: BoardClient;
}

/** A hub of its own (FLOTILLA_HOME in `dir`), stopped on dispose. */
export async function startScoutHub(dir: string): Promise<ScoutHub> {
  const home = join(dir, 'hub-home');
  await mkdir(home, { recursive: true });
  const env = { ...process.env, FLOTILLA_HOME: home, FLOTILLA_HOST_NAME: 'hub', FLOTILLA_DISCOVERY: 'off', FLOTILLA_DASHBOARD_DIR: '' };
  const hub = spawn(process.execPath, [MESH_BIN, 'serve', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await printedUrl(hub);
    const token = (await readFile(join(home, 'hub-token'), 'utf8')).trim();
    return { url, token, board: createBoardClient(createHttpTransport(url, { token })), [Symbol.asyncDispose]: () => stop(hub) };
  } catch (error) {
    await stop(hub);
    throw error;
  }
}

function printedUrl(hub: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`mesh serve printed no address within 20 s:\n${out}\n${err}`)), 20_000);
    hub.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    hub.once('exit', (code) => reject(new Error(`mesh serve exited (${code}):\n${out}\n${err}`)));
    hub.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /"url"\s*:\s*"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** The scouted repo's files: two TODO clusters (src/auth ×3, src/billing ×2), one FIXME, a failing test. */
export const SCOUT_FILES: Record<string, string> = {
  'src/auth/login.ts': 'export function login(user: string) {\n  // TODO: rate-limit failed logins\n  return user.length > 0;\n}\n// TODO: lock the account after 5 failures\n',
  'src/auth/session.ts': 'export const TTL = 3600; // FIXME: read the TTL from the config\nexport function renew() {\n  // TODO: rotate the session id on renew\n}\n',
  'src/billing/invoice.ts': 'export function total(lines: number[]) {\n  // TODO: round to cents\n  return lines.reduce((a, b) => a + b, 0);\n}\n// TODO: currency\n',
  'test/sum.test.sh': '#!/bin/sh\necho "running 2 tests"\necho "ok 1 - sum adds"\necho "not ok 2 - sum handles negatives: expected -1, got 1"\nexit 1\n',
  'README.md': '# api\n\nNothing to do here (todo in lower case is not a marker).\n',
};

/** The repo (with a bare `origin`) holding `SCOUT_FILES` on `main`. */
export async function makeScoutRepo(dir: string, name = 'api'): Promise<{ repo: string; remote: string }> {
  const made = await makeRepoWithRemote(dir, name);
  for (const [path, text] of Object.entries(SCOUT_FILES)) {
    await mkdir(join(made.repo, path, '..'), { recursive: true });
    await writeFile(join(made.repo, path), text);
  }
  await git(made.repo, ['add', '--', ...Object.keys(SCOUT_FILES)]);
  await git(made.repo, ['commit', '--quiet', '-m', 'scout fixture']);
  await git(made.repo, ['push', '--quiet', 'origin', 'main']);
  return made;
}

/**
 * A `FlowRunJob` standing in for the agent where the real CLI adds nothing: each call answers with
 * the next scripted final answer (a string, or made from the request), and every request is kept.
 */
export function scriptedScout(answers: Array<string | ((request: FlowJobRequest) => string)>): { runJob: FlowRunJob; requests: FlowJobRequest[] } {
  const requests: FlowJobRequest[] = [];
  const runJob: FlowRunJob = async (request) => {
    requests.push(request);
    const next = answers[requests.length - 1];
    if (next === undefined) return { ok: false, failure: { kind: 'task', message: `no scripted answer for call ${requests.length}` } };
    return { ok: true, summary: typeof next === 'string' ? next : next(request), jobId: `job-${requests.length}` };
  };
  return { runJob, requests };
}
