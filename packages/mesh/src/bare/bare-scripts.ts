/**
 * The shell scripts a hub runs on a bare host over SSH exec. Everything a bare host knows lives in
 * plain files under `${FLOTILLA_HOME:-~/.flotilla}/bare` and in one tmux server of its own
 * (`tmux -L flotilla-bare`):
 *
 *   jobs/<id>/record.json   the job as created (a protocol Job, one line), written before tmux starts
 *   jobs/<id>/prompt        the prompt, read by the wrapper (never part of a command line)
 *   jobs/<id>/output.log    the agent's stdout and stderr
 *   jobs/<id>/started       when the wrapper started the agent;  exit: "<code> <time>" when it ended
 *   jobs/<id>/cancelled     when it was cancelled;  lost: when the hub found its tmux session gone
 *                           without an exit record;  result.json: the result the hub read from the output
 *   keys/<sha256 of the idempotency key>   a symlink to the job id (ln -s is atomic: one job per key)
 *   sessions/<id>/record.json, ended
 *
 * Ids interpolated into scripts are ULIDs (checked); every other value is shell-quoted or goes
 * through stdin.
 */
import { shellQuote } from '@flotilla/kit/tmux';
import { IdSchema } from '@flotilla/protocol';

/** Where tmux and agents may live when a non-login SSH shell has a short PATH (Homebrew on a Mac). */
const PATH_PREFIX = 'PATH="$PATH:/usr/local/bin:/opt/homebrew/bin"';
const BARE_DIR = 'B="${FLOTILLA_HOME:-$HOME/.flotilla}/bare"';
export const BARE_TMUX_SOCKET = 'flotilla-bare';
/** tmux on the bare host's own server, ignoring the user's ~/.tmux.conf. */
const TMUX = `tmux -u -L ${BARE_TMUX_SOCKET} -f /dev/null`;
/** Files whose presence and contents make a job's or session's state. */
export const STATE_FILES = ['started', 'exit', 'cancelled', 'lost', 'ended', 'result.json'] as const;
const NOW = 'date -u +%Y-%m-%dT%H:%M:%SZ';

export const jobTmuxName = (id: string): string => `fbj-${checkId(id)}`;
export const sessionTmuxName = (id: string): string => `fbs-${checkId(id)}`;
export const jobDir = (id: string): string => `jobs/${checkId(id)}`;
export const sessionDir = (id: string): string => `sessions/${checkId(id)}`;

function checkId(id: string): string {
  if (!IdSchema.safeParse(id).success) throw new Error(`not a ULID: ${JSON.stringify(id)}`);
  return id;
}

function checkDir(dir: string): string {
  if (!/^(jobs|sessions)\/[0-9A-HJKMNP-TV-Z]{26}$/.test(dir)) throw new Error(`not a bare record directory: ${JSON.stringify(dir)}`);
  return dir;
}

/** The shell preamble every bare command starts with (files only the user can read: prompts and output are private). */
export function preamble(): string {
  return `umask 077; ${PATH_PREFIX}; ${BARE_DIR}`;
}

/** Prints `tmux <version>` when tmux runs on the host; exits 127 when it does not. */
export function tmuxProbeScript(): string {
  return `${PATH_PREFIX}; command -v tmux >/dev/null 2>&1 || exit 127; tmux -V`;
}

/**
 * The script that runs inside the job's tmux session: stamps `started`, runs the agent with stdin
 * closed and its output in `output.log`, then writes `exit` atomically. `$FLOTILLA_BARE_JOB` is
 * the job's directory (set with `new-session -e`, so no path is quoted into this text).
 */
export function jobWrapperScript(agentCommand: string): string {
  const job = '"$FLOTILLA_BARE_JOB"';
  return [
    'umask 077',
    `${NOW} > ${job}/started`,
    `${agentCommand} < /dev/null > ${job}/output.log 2>&1`,
    'code=$?',
    `printf '%s %s\\n' "$code" "$(${NOW})" > ${job}/exit.tmp && mv ${job}/exit.tmp ${job}/exit`,
  ].join('; ');
}

export interface CreateJobScriptInput {
  id: string;
  /** sha256 hex of the idempotency key. */
  keyHash: string;
  cwd: string;
  agentCommand: string;
  env: Record<string, string>;
}

/**
 * Creates a job at most once per key: the key's symlink first (a second create with the key prints
 * `existing <id>`), then the record and prompt from stdin (`<record line>\n<prompt>`), then the
 * detached tmux session. Prints `created`, `nocwd`, `existing ID` or `launchfailed <why>`.
 */
export function createJobScript(input: CreateJobScriptInput): string {
  if (!/^[0-9a-f]{64}$/.test(input.keyHash)) throw new Error('the key hash must be sha256 hex');
  const dir = `"$B/${jobDir(input.id)}"`;
  const env = Object.entries({ ...input.env, FLOTILLA_BARE_JOB: '__DIR__' }).map(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`invalid environment variable name ${JSON.stringify(key)}`);
    return value === '__DIR__' ? `-e "${key}=$B/${jobDir(input.id)}"` : `-e ${shellQuote([`${key}=${value}`])}`;
  });
  const cwd = shellQuote([input.cwd]);
  return [
    preamble(),
    `[ -d ${cwd} ] || { echo nocwd; exit 0; }`,
    'mkdir -p "$B/jobs" "$B/keys" || exit 1',
    `if ! ln -s ${input.id} "$B/keys/${input.keyHash}" 2>/dev/null; then echo "existing $(readlink "$B/keys/${input.keyHash}")"; exit 0; fi`,
    `mkdir ${dir} || exit 1`,
    `IFS= read -r record || exit 1`,
    `printf '%s\\n' "$record" > ${dir}/record.json && cat > ${dir}/prompt || exit 1`,
    `if ! ${TMUX} set-option -g default-shell /bin/sh ';' new-session -d -s ${jobTmuxName(input.id)} -c ${cwd} -x 200 -y 50 ${env.join(' ')} ${shellQuote([jobWrapperScript(input.agentCommand)])} 2> ${dir}/launch.err; then`,
    `  ${NOW} > ${dir}/lost; echo "launchfailed $(cat ${dir}/launch.err)"; exit 0`,
    'fi',
    'echo created',
  ].join('\n');
}

export interface CreateSessionScriptInput {
  id: string;
  cwd: string;
  argv: string[];
}

/** Records a session (its record line on stdin) and starts it in tmux. Prints `created`, `nocwd` or `launchfailed <why>`. */
export function createSessionScript(input: CreateSessionScriptInput): string {
  const dir = `"$B/${sessionDir(input.id)}"`;
  const cwd = shellQuote([input.cwd]);
  return [
    preamble(),
    `[ -d ${cwd} ] || { echo nocwd; exit 0; }`,
    `mkdir -p ${dir} || exit 1`,
    `cat > ${dir}/record.json || exit 1`,
    `if ! ${TMUX} set-option -g default-shell /bin/sh ';' new-session -d -s ${sessionTmuxName(input.id)} -c ${cwd} -x 200 -y 50 ${shellQuote([`exec ${shellQuote(input.argv)}`])} 2> ${dir}/launch.err; then`,
    `  ${NOW} > ${dir}/ended; echo "launchfailed $(cat ${dir}/launch.err)"; exit 0`,
    'fi',
    'echo created',
  ].join('\n');
}

/** The tmux sessions (`T name dead`), then `F <dir> <file> <contents>` for each state file of `dirs`. */
export function pollScript(dirs: readonly string[]): string {
  const list = dirs.map(checkDir).join(' ');
  return [
    preamble(),
    `${TMUX} list-sessions -F 'T #{session_name} #{pane_dead}' 2>/dev/null`,
    'cd "$B" 2>/dev/null || exit 0',
    dirs.length === 0 ? 'true' : `for d in ${list}; do ${printStateFiles()}; done; true`,
  ].join('\n');
}

/** Like `pollScript`, for the newest `limit` jobs and sessions, each with its record (`R <dir> <record.json>`). */
export function loadScript(limit: number): string {
  const count = Math.max(1, Math.floor(limit));
  return [
    preamble(),
    `${TMUX} list-sessions -F 'T #{session_name} #{pane_dead}' 2>/dev/null`,
    'cd "$B" 2>/dev/null || exit 0',
    'for kind in jobs sessions; do',
    '  [ -d "$kind" ] || continue',
    `  for id in $(ls -1 "$kind" | tail -n ${count}); do`,
    '    d="$kind/$id"; [ -f "$d/record.json" ] || continue',
    `    printf 'R %s %s\\n' "$d" "$(cat "$d/record.json")"; ${printStateFiles()}`,
    '  done',
    'done; true',
  ].join('\n');
}

function printStateFiles(): string {
  return `for f in ${STATE_FILES.join(' ')}; do [ -f "$d/$f" ] && printf 'F %s %s %s\\n' "$d" "$f" "$(cat "$d/$f")"; done`;
}

/** Marks the job cancelled (unless it already ended) and kills its tmux session. Exit 3: no such job. */
export function cancelJobScript(id: string): string {
  const dir = `"$B/${jobDir(id)}"`;
  return [
    preamble(),
    `[ -d ${dir} ] || exit 3`,
    `[ -f ${dir}/exit ] || [ -f ${dir}/cancelled ] || ${NOW} > ${dir}/cancelled`,
    `${TMUX} kill-session -t '=${jobTmuxName(id)}' 2>/dev/null; true`,
  ].join('\n');
}

/** Marks the session ended (unless it was) and kills its tmux session. */
export function stopSessionScript(id: string): string {
  const dir = `"$B/${sessionDir(id)}"`;
  return [preamble(), `[ -f ${dir}/ended ] || ${NOW} > ${dir}/ended`, `${TMUX} kill-session -t '=${sessionTmuxName(id)}' 2>/dev/null; true`].join('\n');
}

/** Writes stdin to `<dir>/<file>` unless any of `unless` exists there (atomically, through a temporary file). */
export function writeStateFileScript(dir: string, file: (typeof STATE_FILES)[number], unless: readonly string[] = []): string {
  const path = `"$B/${checkDir(dir)}"`;
  const guard = unless.map((other) => `[ -f ${path}/${other} ] || `).join('');
  return [preamble(), `${guard}{ cat > ${path}/${file}.tmp && mv ${path}/${file}.tmp ${path}/${file}; }`].join('\n');
}

/** `S <size>` then, base64, at most `max` bytes of the job's output from byte `offset`. */
export function readOutputScript(id: string, offset: number, max: number): string {
  const file = `"$B/${jobDir(id)}/output.log"`;
  const from = Math.max(0, Math.floor(offset)) + 1;
  return [
    preamble(),
    `[ -f ${file} ] || { echo 'S 0'; exit 0; }`,
    `printf 'S %s\\n' "$(wc -c < ${file} | tr -d ' ')"`,
    `tail -c +${from} ${file} | head -c ${Math.max(1, Math.floor(max))} | base64`,
  ].join('\n');
}

/** The last `bytes` of the job's output, base64. */
export function outputTailScript(id: string, bytes: number): string {
  const file = `"$B/${jobDir(id)}/output.log"`;
  return [preamble(), `[ -f ${file} ] || exit 0`, `tail -c ${Math.max(1, Math.floor(bytes))} ${file} | base64`].join('\n');
}

/** What `mesh attach` runs on a bare host (through the user's own ssh) to step into a job's or session's tmux session. */
export function bareAttachCommand(tmuxSession: string): string {
  if (!/^fb[js]-[0-9A-HJKMNP-TV-Z]{26}$/.test(tmuxSession)) throw new Error(`not a bare tmux session: ${JSON.stringify(tmuxSession)}`);
  return `${PATH_PREFIX}; exec ${TMUX} attach-session -t '=${tmuxSession}'`;
}

/** A tmux command on the bare server (for kit's tmux control over SSH). */
export function bareTmuxCommand(argv: readonly string[]): string {
  return `${PATH_PREFIX}; ${shellQuote(argv)}`;
}
