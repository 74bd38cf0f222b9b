/** Variables every agent gets from the daemon's own environment (never secrets of Flotilla's). */
const BASE_VARIABLES = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'SHELL', 'TMPDIR', 'TZ'];
/** Prefixes captured from the invoking client (or, for API jobs, from the daemon) and passed on. */
export const DEFAULT_ALLOWED_PREFIXES = ['ANTHROPIC_', 'CLAUDE_', 'OPENAI_', 'CODEX_', 'GEMINI_', 'GOOGLE_'];
const ALLOWED_NAMES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'DISABLE_TELEMETRY', 'DISABLE_AUTOUPDATER', 'DISABLE_ERROR_REPORTING', 'API_TIMEOUT_MS', 'IS_SANDBOX'];

export interface AgentEnvInput {
  daemonEnv: NodeJS.ProcessEnv;
  configEnv: Record<string, string>;
  extraPrefixes: readonly string[];
  /** Variables captured from the invoking shell; null for jobs created by a browser or bot. */
  clientEnv: Record<string, string> | null;
  jobEnv: Record<string, string>;
  flotilla: Record<string, string>;
}

export function isAllowedVariable(name: string, extraPrefixes: readonly string[] = []): boolean {
  if (name.startsWith('FLOTILLA_')) return false;
  if (ALLOWED_NAMES.includes(name)) return true;
  return [...DEFAULT_ALLOWED_PREFIXES, ...extraPrefixes].some((prefix) => name.startsWith(prefix));
}

export function filterAllowed(env: Record<string, string | undefined>, extraPrefixes: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && isAllowedVariable(name, extraPrefixes)) out[name] = value;
  return out;
}

/**
 * The agent's environment, in increasing precedence: a minimal base from the daemon, the config's
 * `env`, allowlisted variables from the client (or the daemon for API jobs), `--env`, then FLOTILLA_*.
 */
export function buildAgentEnv(input: AgentEnvInput): Record<string, string> {
  const env: Record<string, string> = { TERM: 'xterm-256color' };
  for (const name of BASE_VARIABLES) {
    const value = input.daemonEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, input.configEnv);
  Object.assign(env, filterAllowed(input.clientEnv ?? input.daemonEnv, input.extraPrefixes));
  Object.assign(env, input.jobEnv);
  Object.assign(env, input.flotilla);
  return env;
}

/** `--env` values are shown as their keys only. */
export function redact(text: string, secrets: Record<string, string>): string {
  let out = text;
  for (const value of Object.values(secrets)) if (value.length >= 4) out = out.split(value).join('«redacted»');
  return out;
}
