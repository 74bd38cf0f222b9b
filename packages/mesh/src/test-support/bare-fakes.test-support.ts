// Tests only: a fake `claude` for bare hosts (a POSIX sh script, so it runs where Node does not).
// With -p it records its argv (NUL-separated) and each run in the job's directory, prints Claude's
// stream-json shapes, and obeys "sleep N" / "exit N" in its prompt; without -p it is an
// interactive prompt that echoes each line it reads ("got: LINE").
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FAKE_CLAUDE = `#!/bin/sh
if [ "$1" != "-p" ]; then
  echo "fake claude ready"
  while IFS= read -r line; do echo "got: $line"; done
  exit 0
fi
for arg in "$@"; do prompt="$arg"; done
job="\${FLOTILLA_BARE_JOB:-.}"
printf '%s\\0' "$@" > "$job/argv"
echo run >> "$job/runs"
echo $$ > "$job/pid"
echo '{"type":"system","subtype":"init","session_id":"fake-session-1","model":"sonnet"}'
seconds=$(printf '%s' "$prompt" | sed -n 's/.*sleep \\([0-9][0-9]*\\).*/\\1/p' | head -n 1)
[ -n "$seconds" ] && sleep "$seconds"
code=$(printf '%s' "$prompt" | sed -n 's/.*exit \\([0-9][0-9]*\\).*/\\1/p' | head -n 1)
if [ -n "$code" ]; then
  echo "fake claude failing with $code" >&2
  exit "$code"
fi
echo '{"type":"result","subtype":"success","is_error":false,"result":"fake result ✓","session_id":"fake-session-1"}'
`;

/**
 * The pid the fake `claude` wrote into a job's directory, once written: `echo $$ > pid` creates
 * the file empty first (read then, it would be 0, and `kill(0, …)` reaches the whole process group).
 */
export function fakeClaudePid(jobDir: string): number | null {
  const file = join(jobDir, 'pid');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return /^\d+\n$/.test(text) ? Number(text) : null;
}

/** Writes the fake `claude` into `dir`. */
export function writeFakeClaude(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'claude');
  writeFileSync(path, FAKE_CLAUDE);
  chmodSync(path, 0o755);
  return path;
}

/**
 * A bin directory for a host where cb cannot run: every command of /usr/bin and /bin but `node`
 * (so the `cb` that is on the machine finds no interpreter), plus the fake `claude`.
 */
export function writeNodelessBin(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const source of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(source)) {
      if (/^node(js)?$/.test(name)) continue;
      try {
        symlinkSync(join(source, name), join(dir, name));
      } catch {
        // already linked from the other directory
      }
    }
  }
  writeFakeClaude(dir);
  return dir;
}
