/**
 * One cleanup stack per bench process. Every step is synchronous, so the same steps run on a
 * normal exit, an exception, Ctrl-C, SIGTERM and the time bound, and none is skipped because the
 * event loop is gone (`process.on('exit')` runs no async work).
 */
import { rmSync } from 'node:fs';

const steps = [];
let installed = false;
let running = false;

/** Registers a synchronous cleanup step; steps run last-registered first, once. */
export function onCleanup(step) {
  install();
  steps.push(step);
}

export function cleanupNow() {
  if (running) return;
  running = true;
  while (steps.length > 0) {
    const step = steps.pop();
    try {
      step();
    } catch (error) {
      process.stderr.write(`cleanup step failed: ${error?.stack ?? error}\n`);
    }
  }
  running = false;
}

/**
 * Ends the process with `code` after `ms` whatever it is doing (cleanup still runs on exit).
 * The timer is unref'd: a bench that finishes earlier is not held open by it.
 */
export function boundTime(ms, what) {
  install();
  const timer = setTimeout(() => {
    process.stderr.write(`\n${what}: still running after ${Math.round(ms / 1000)} s, giving up (time bound)\n`);
    process.exit(124);
  }, ms);
  timer.unref();
}

/** Blocks the thread (cleanup runs where timers no longer fire). */
export function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupNow);
  for (const [signal, code] of Object.entries(SIGNAL_CODES)) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up\n`);
      cleanupNow();
      process.exit(code);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    cleanupNow();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    cleanupNow();
    process.exit(1);
  });
}

/** Removes a temp dir; a TUI still exiting after its tmux server was killed may write one last file. */
export function removeDir(dir) {
  for (let i = 0; i < 10; i++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch {
      sleepSync(200);
    }
  }
}
