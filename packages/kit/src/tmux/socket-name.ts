import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * The name of Flotilla's private tmux server for a `FLOTILLA_HOME` (`tmux -L <name>`):
 * `flotilla-` plus the first 12 hex digits of the SHA-256 of the resolved path. Two homes never
 * share a server, and the user's own tmux (`default`) is never touched.
 */
export function tmuxSocketName(flotillaHome: string): string {
  return `flotilla-${createHash('sha256').update(resolve(flotillaHome)).digest('hex').slice(0, 12)}`;
}
