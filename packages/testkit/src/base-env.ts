/** Variables worth keeping from the parent: where programs live and the temp dir. */
const INHERITED = ['PATH', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL'] as const;

/**
 * The minimal, deterministic base every agent environment starts from: a fresh HOME, UTC time
 * and a UTF-8 C locale, plus PATH and friends from the parent.
 */
export function baseEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.HOME = home;
  env.TZ = 'UTC';
  env.LANG = 'C.UTF-8';
  return env;
}

/** Applies caller overrides last; an `undefined` value removes the variable. */
export function applyExtra(
  env: Record<string, string>,
  extra: Record<string, string | undefined> | undefined,
): Record<string, string> {
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
