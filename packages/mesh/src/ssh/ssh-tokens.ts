/**
 * Expansion of `~`, `${VAR}` and `%x` tokens in ssh_config values, in ssh's order (tilde,
 * then environment, then percent tokens) and with its strictness: an unknown `%x` or unset
 * `${VAR}` is an error, not silently kept.
 */
import { SshConfigError } from './ssh-errors.js';

/** The value of each `%x` token a keyword accepts, by letter. */
export type TokenValues = Readonly<Record<string, string>>;

/**
 * Replace `%x` tokens; `%%` is a literal percent sign.
 * @example expandPercent('%r@%h', { r: 'git', h: 'example.com' }, 'ProxyJump') // 'git@example.com'
 */
export function expandPercent(text: string, values: TokenValues, keyword: string): string {
  let out = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char !== '%') {
      out += char;
      continue;
    }
    const letter = text[index + 1];
    index += 1;
    if (letter === '%') {
      out += '%';
      continue;
    }
    const value = letter === undefined ? undefined : values[letter];
    if (value === undefined) {
      const shown = letter === undefined ? 'a trailing %' : `%${letter}`;
      throw new SshConfigError('SSH_TOKEN_INVALID', `${keyword} "${text}": ${shown} is not a token ${keyword} accepts`);
    }
    out += value;
  }
  return out;
}

/** Replace `${NAME}` with the environment variable; an unset one is an error, as in ssh. */
export function expandEnvironment(text: string, env: Readonly<Record<string, string | undefined>>, keyword: string): string {
  return text.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined) {
      throw new SshConfigError('SSH_TOKEN_INVALID', `${keyword} "${text}": environment variable \${${name}} is not set`);
    }
    return value;
  });
}

/**
 * Expand a leading `~` or `~localUser` to the home directory. Other users' homes (`~bob/`)
 * are refused: resolving them needs the passwd database of the machine that runs ssh.
 */
export function expandTilde(path: string, home: string, localUser: string): string {
  if (!path.startsWith('~')) return path;
  const slash = path.indexOf('/');
  const name = slash < 0 ? path.slice(1) : path.slice(1, slash);
  if (name !== '' && name !== localUser) {
    throw new SshConfigError('SSH_TOKEN_INVALID', `cannot expand "~${name}" in "${path}": only the local user's home is known`);
  }
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  return rest === '' ? home : `${home.replace(/\/$/, '')}/${rest}`;
}

/** Tilde, then `${VAR}`, then `%x`: how ssh expands IdentityFile and UserKnownHostsFile. */
export function expandPath(path: string, context: { home: string; localUser: string; env: Readonly<Record<string, string | undefined>>; values: TokenValues; keyword: string }): string {
  const tilded = expandTilde(path, context.home, context.localUser);
  return expandPercent(expandEnvironment(tilded, context.env, context.keyword), context.values, context.keyword);
}
