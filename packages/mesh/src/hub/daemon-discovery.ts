/**
 * Finding a host's `cb` daemon over its link: `cb daemon start --json` starts one where none runs
 * and prints its status (socket, home, version, slots) either way. Commands run through the
 * remote user's shell with the usual install places added to PATH. `missing` (no cb) and
 * `unrunnable` (cb is there but Node.js is missing or too old for it) are the hosts the hub may
 * drive through tmux instead (src/bare); `failed` is anything else, retried as it is.
 */
import { DaemonStatusSchema, type DaemonStatus } from '@flotilla/protocol';
import type { HostLink } from '../link/host-link.js';

/** Where `cb` may live on a host besides the shell's own PATH (npm -g prefixes, `mesh hosts bootstrap`). */
export const REMOTE_PATH_PREFIX = 'PATH="$HOME/.flotilla/bin:$PATH:$HOME/.local/bin:$HOME/.npm-global/bin:/usr/local/bin"';

export type DaemonDiscovery =
  | { kind: 'running'; status: DaemonStatus }
  | { kind: 'missing'; error: string }
  | { kind: 'unrunnable'; error: string }
  | { kind: 'failed'; error: string };

/** What a shell or Node prints when cb's interpreter is missing or too old to load it. */
const NO_NODE = /(?:env|bash|sh|zsh): .*node.*(?:No such file|not found)|node: (?:command )?not found/i;
const OLD_NODE = /SyntaxError|Unexpected token|ERR_UNKNOWN_FILE_EXTENSION|ERR_REQUIRE_ESM|requires? Node(?:\.js)? (?:>=?|version)|Unsupported engine/i;

/** Runs `cb daemon start --json` on the host and reads the daemon's status from it. */
export async function ensureRemoteDaemon(link: HostLink, options: { timeoutMs?: number } = {}): Promise<DaemonDiscovery> {
  const result = await link.exec(`${REMOTE_PATH_PREFIX}; cb daemon start --json`, { timeoutMs: options.timeoutMs ?? 60_000 });
  if (NO_NODE.test(result.stderr)) {
    return { kind: 'unrunnable', error: `cb is on ${link.name} but Node.js is not (${lastWords(result.stderr)}); install Node.js 20 or later there` };
  }
  if (result.code === 127 || /cb: (command )?not found/.test(result.stderr)) {
    return { kind: 'missing', error: `cb is not installed on ${link.name}; install it with: mesh hosts bootstrap ${link.name}` };
  }
  if (result.code !== 0) {
    const words = lastWords(result.stderr || result.stdout);
    if (OLD_NODE.test(result.stderr)) return { kind: 'unrunnable', error: `cb cannot run on ${link.name}: its Node.js is too old (${words}); Node.js 20 or later is needed` };
    return { kind: 'failed', error: `cb daemon start failed on ${link.name} (exit ${result.code ?? result.signal}): ${words}` };
  }
  const parsed = DaemonStatusSchema.safeParse(firstJson(result.stdout));
  if (!parsed.success) return { kind: 'failed', error: `cb daemon start on ${link.name} printed no daemon status` };
  return { kind: 'running', status: parsed.data };
}

function lastWords(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ').slice(0, 300);
}

/** The first JSON object in a command's output (after whatever a shell or npm printed before it). */
export function firstJson(text: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) return null;
  try {
    return JSON.parse(text.slice(start)) as unknown;
  } catch {
    return null;
  }
}
