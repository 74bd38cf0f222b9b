/**
 * The hook recorder: `node record-hook.cjs <session dir> [event]`, run by Claude Code and Codex for
 * every hook event Flotilla registers. It reads the hook's JSON from stdin and appends ONE line
 * `{"at": <epoch ms>, "event": …, "payload": …}` to `<session dir>/hooks.jsonl` with a single
 * O_APPEND write. It is on the agent's critical path, so it imports nothing but `node:fs`, prints
 * nothing (Claude adds a hook's stdout to the model's context) and always exits 0: on any error it
 * writes a line to `<session dir>/hooks.err` instead and lets the agent go on. CommonJS (`.cts`):
 * node starts a CJS script measurably faster than an ES module.
 */
import fs = require('node:fs');

const HOOK_LOG = 'hooks.jsonl';
const HOOK_ERRORS = 'hooks.err';

function appendOnce(path: string, line: string): void {
  const fd = fs.openSync(path, 'a');
  try {
    fs.writeSync(fd, Buffer.from(`${line}\n`, 'utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

function eventOf(payload: unknown, fallback: string | undefined): string {
  const named = (payload as { hook_event_name?: unknown } | null)?.hook_event_name;
  if (typeof named === 'string' && named !== '') return named;
  return fallback ?? 'unknown';
}

function record(): void {
  const at = Date.now();
  const dir = process.argv[2];
  if (dir === undefined || dir === '') return;
  try {
    const text = fs.readFileSync(0, 'utf8');
    const payload: unknown = text.trim() === '' ? null : JSON.parse(text);
    appendOnce(`${dir}/${HOOK_LOG}`, JSON.stringify({ at, event: eventOf(payload, process.argv[3]), payload }));
  } catch (error) {
    try {
      const message = error instanceof Error ? error.message : String(error);
      appendOnce(`${dir}/${HOOK_ERRORS}`, JSON.stringify({ at, event: process.argv[3] ?? null, error: message.slice(0, 500) }));
    } catch {
      // Nowhere left to report; the agent must go on regardless.
    }
  }
}

record();
process.exitCode = 0;
