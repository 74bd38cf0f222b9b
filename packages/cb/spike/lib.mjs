// Shared helpers for the session-signal spike (issue 4). Not part of the cb package: run on demand.
// A timeline of observations from every signal source, with millisecond wall-clock times.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One place where every observation lands: `{ t, source, kind, detail }`. */
export function createTimeline() {
  const events = [];
  return {
    events,
    add(source, kind, detail = {}, t = Date.now()) {
      events.push({ t, source, kind, detail });
    },
    /** First event of `source` matching `pred` with t >= from (and < to). */
    first(source, pred, from, to = Number.POSITIVE_INFINITY) {
      return events.filter((e) => e.source === source && e.t >= from && e.t < to && pred(e)).sort((a, b) => a.t - b.t)[0];
    },
  };
}

/** A private tmux server (never the default socket). */
export function createTmux(socketName) {
  const run = (...args) => {
    const r = spawnSync('tmux', ['-L', socketName, ...args], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
  };
  return {
    run,
    capture: (target) => run('capture-pane', '-p', '-t', target).out,
    /** Bracketed paste of literal text: the text never goes through key-name parsing. */
    paste(target, text) {
      const r = spawnSync('tmux', ['-L', socketName, 'load-buffer', '-b', 'spike', '-'], { input: text, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`load-buffer: ${r.stderr}`);
      run('paste-buffer', '-p', '-d', '-b', 'spike', '-t', target);
    },
    keys: (target, ...keys) => run('send-keys', '-t', target, ...keys),
    literal: (target, text) => run('send-keys', '-t', target, '-l', text),
    paneDead: (target) => run('display-message', '-p', '-t', target, '#{pane_dead}').out.trim() === '1',
    kill: () => run('kill-server'),
  };
}

/** Polls a function every `everyMs` while running; returns a stop function. */
export function poll(everyMs, fn) {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        await fn();
      } catch (error) {
        // A half-written file is normal while polling; the next round sees it whole.
        if (!(error instanceof SyntaxError) && error?.code !== 'ENOENT') throw error;
      }
      await sleep(everyMs);
    }
  };
  const done = loop();
  return async () => {
    stopped = true;
    await done;
  };
}

/** Follows a JSONL file appended by others; calls `onLine(obj, rawLine)` for each new complete line. */
export function jsonlTail(file, onLine) {
  let offset = 0;
  return () => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size < offset) offset = 0;
    if (size === offset) return;
    const text = readFileSync(file).subarray(offset, size).toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return;
    offset += Buffer.byteLength(text.slice(0, end + 1));
    for (const raw of text.slice(0, end).split('\n')) {
      if (raw.trim() === '') continue;
      let obj;
      try {
        obj = JSON.parse(raw);
      } catch {
        obj = { unparsed: raw };
      }
      onLine(obj, raw);
    }
  };
}

/** Files under `dir` (recursively) whose name matches `re`. */
export function findFiles(dir, re) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findFiles(p, re));
    else if (re.test(entry.name)) out.push(p);
  }
  return out;
}

/** Records every transition of a classifier over polled values (dedups equal consecutive states). */
export function transitions(timeline, source, classify) {
  let last;
  return (value, detail) => {
    const kind = classify(value);
    if (kind === last) return;
    last = kind;
    timeline.add(source, kind, detail ?? {});
  };
}

export function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0 };
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * (v.length - 1) + 0.5))];
  return { n: v.length, min: v[0], p50: q(0.5), max: v[v.length - 1] };
}

export function fmtStats(s) {
  if (!s || s.n === 0) return 'never';
  return `${s.p50} / ${s.max} ms (n=${s.n}${s.min < 0 ? `, min ${s.min}` : ''})`;
}

export async function waitUntil(check, timeoutMs, label) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await sleep(25);
  }
}

export function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The recording hook: one tiny POSIX shell script (no node start-up) run as
 * `hook.sh EVENT LOGFILE`. It appends `{ts, event, flotilla, ppid, payload}` to LOGFILE. The
 * payload is the JSON the agent wrote on stdin (hooks) or passed as the last argument (Codex
 * `notify`). `flotilla` is $FLOTILLA_SESSION_ID as the hook saw it (correlation check); the
 * names of every variable the hook saw go to LOGFILE.env once.
 */
export const HOOK_SCRIPT = `#!/bin/sh
ts=$(date +%s%3N)
event="$1"
log="$2"
if [ "$event" = "codex-notify" ]; then payload="$3"; else payload=$(cat); fi
[ -n "$payload" ] || payload=null
if [ ! -e "$log.env" ]; then env | cut -d= -f1 | sort > "$log.env"; fi
printf '{"ts":%s,"event":"%s","flotilla":"%s","ppid":%s,"payload":%s}\\n' "$ts" "$event" "$FLOTILLA_SESSION_ID" "$PPID" "$(printf '%s' "$payload" | tr '\\n' ' ')" >> "$log"
exit 0
`;

/**
 * Runs a command without blocking the event loop (the fake servers live in this process, so a
 * spawnSync would stall them). Resolves on exit, not on pipe close: `claude --bg` leaves a daemon
 * holding the pipes.
 */
export function runAsync(command, args, { env, cwd, timeoutMs = 30_000 }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      }, 100);
    });
  });
}
