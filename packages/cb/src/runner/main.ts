#!/usr/bin/env node
/**
 * The runner: one per attempt, inside the attempt's tmux session. It owns the agent process,
 * writes started.json before spawning it, appends every raw output line to events.jsonl,
 * renders a readable transcript into the pane, enforces timeouts and the budget, and writes
 * exit.json when the agent ends. It talks to the daemon only through these files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, openSync, readFileSync, writeSync, closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@flotilla/kit/fs';
import { killTree } from '@flotilla/kit/process';
import { createAgentRegistry } from '../agents/registry.js';
import { formatEntry } from '../agents/render.js';
import { costOf } from '../cost.js';
import { ATTEMPT_FILES, RunnerSpecSchema, type RunnerSpec } from './spec.js';

type StopReason = 'idle_timeout' | 'wall_timeout' | 'budget' | 'cancel' | 'hangup';

/** How long the agent gets to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 3_000;

async function main(dir: string): Promise<number> {
  const spec = RunnerSpecSchema.parse(JSON.parse(readFileSync(join(dir, ATTEMPT_FILES.spec), 'utf8')));
  const started = Date.now();
  const exitFile = join(dir, ATTEMPT_FILES.exit);
  if (existsSync(exitFile)) return 0; // already finished: never run an attempt twice
  const child = startAgent(spec, dir);
  const result = await supervise(spec, dir, child);
  const record = { ...result, durationMs: Date.now() - started, endedAt: new Date().toISOString() };
  await writeFileAtomic(exitFile, JSON.stringify(record, null, 2) + '\n');
  process.stdout.write(`\n── ${describeExit(record)} ──\n`);
  return 0;
}

function startAgent(spec: RunnerSpec, dir: string): ChildProcess | { spawnError: string } {
  const [command, ...args] = spec.argv as [string, ...string[]];
  try {
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: [spec.stdin.kind === 'null' ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so the whole tree can be stopped
    });
    writeStarted(dir, child.pid ?? null);
    if (spec.stdin.kind === 'text') {
      child.stdin?.on('error', () => undefined); // an agent that exits without reading its prompt (EPIPE)
      child.stdin?.end(spec.stdin.text);
    }
    return child;
  } catch (error) {
    writeStarted(dir, null);
    return { spawnError: (error as Error).message };
  }
}

function writeStarted(dir: string, agentPid: number | null): void {
  const record = { runnerPid: process.pid, agentPid, startedAt: new Date().toISOString() };
  appendFileSync(join(dir, ATTEMPT_FILES.started), JSON.stringify(record) + '\n', { mode: 0o600 });
}

interface SuperviseResult {
  exitCode: number | null;
  signal: string | null;
  stoppedBy: StopReason | null;
  spawnError: string | null;
}

function supervise(spec: RunnerSpec, dir: string, child: ChildProcess | { spawnError: string }): Promise<SuperviseResult> {
  if ('spawnError' in child) return Promise.resolve({ exitCode: null, signal: null, stoppedBy: null, spawnError: child.spawnError });
  const adapter = createAgentRegistry({ [spec.agent]: spec.agentDefinition }).get(spec.agent);
  const accumulator = adapter?.createAccumulator();
  const transcriber = adapter?.createTranscriber();
  const eventsFd = openSync(join(dir, ATTEMPT_FILES.events), 'a', 0o600);
  const stderrFd = openSync(join(dir, ATTEMPT_FILES.stderr), 'a', 0o600);
  const color = process.stdout.isTTY === true;
  let stoppedBy: StopReason | null = null;
  let idleTimer: NodeJS.Timeout | undefined;

  const stop = (reason: StopReason) => {
    if (stoppedBy || child.pid === undefined) return;
    stoppedBy = reason;
    process.stdout.write(`\n── stopping: ${reason.replace('_', ' ')} ──\n`);
    void killTree(child.pid, { signal: 'SIGTERM', graceMs: KILL_GRACE_MS });
  };
  const armIdle = () => {
    if (!spec.idleTimeoutMs) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop('idle_timeout'), spec.idleTimeoutMs);
  };
  const wallTimer = spec.wallTimeoutMs ? setTimeout(() => stop('wall_timeout'), spec.wallTimeoutMs) : undefined;
  armIdle();
  // A signal is a user's cancel only when the daemon said so first; otherwise the pane closed or the host is going down.
  const onSignal = () => stop(existsSync(join(dir, ATTEMPT_FILES.cancel)) ? 'cancel' : 'hangup');
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, onSignal);

  const onLine = (line: string) => {
    writeSync(eventsFd, line + '\n');
    armIdle();
    if (!accumulator || !transcriber) return void process.stdout.write(line + '\n');
    accumulator.push(line);
    for (const entry of transcriber.push(line)) process.stdout.write(formatEntry(entry, { color }) + '\n');
    if (spec.budgetUsd !== null) {
      const progress = accumulator.progress();
      if (costOf(progress.costUsd, progress.usage, spec.price).usd > spec.budgetUsd) stop('budget');
    }
  };
  const stdoutDone = splitLines(child.stdout!, onLine);
  const stderrDone = splitLines(child.stderr!, (line) => {
    writeSync(stderrFd, line + '\n');
    process.stdout.write(color ? `\x1b[2m${line}\x1b[0m\n` : line + '\n');
  });

  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ exitCode: null, signal: null, stoppedBy, spawnError: error.message }));
    child.on('close', async (exitCode, signal) => {
      await Promise.all([stdoutDone, stderrDone]);
      clearTimeout(idleTimer);
      clearTimeout(wallTimer);
      closeSync(eventsFd);
      closeSync(stderrFd);
      if (child.pid !== undefined) await killTree(child.pid, { signal: 'SIGKILL', graceMs: 0 }); // leftovers of the group
      resolve({ exitCode, signal, stoppedBy, spawnError: null });
    });
  });
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let index: number;
      while ((index = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, index).replace(/\r$/, ''));
        buffer = buffer.slice(index + 1);
      }
    });
    stream.on('end', () => {
      if (buffer) onLine(buffer);
      resolve();
    });
    stream.on('error', () => resolve());
  });
}

function describeExit(record: SuperviseResult & { durationMs: number }): string {
  const seconds = (record.durationMs / 1000).toFixed(1);
  if (record.spawnError) return `could not start the agent: ${record.spawnError}`;
  if (record.stoppedBy) return `stopped (${record.stoppedBy.replace('_', ' ')}) after ${seconds}s`;
  return `agent exited ${record.signal ?? record.exitCode} after ${seconds}s`;
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: cb-runner <attempt-dir>\n');
  process.exit(2);
}
// The pane may go away (tmux session killed): writing to it must never take the runner down.
process.stdout.on('error', () => undefined);
main(dir).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const text = `runner failed: ${(error as Error).stack ?? String(error)}\n`;
    appendFileSync(join(dir, ATTEMPT_FILES.runnerError), text, { mode: 0o600 });
    process.stderr.write(text);
    process.exit(1);
  },
);
