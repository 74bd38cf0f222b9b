import { InvalidArgumentError, type Command } from 'commander';
import type { VectorFlags } from '../vector/config.js';
import { vectorOptions } from './vectors.js';

export interface ServeFlags extends VectorFlags {
  repo: string;
  db?: string;
  /** Serve streamable HTTP on 127.0.0.1 at this port (0: any free port) instead of stdio. */
  http?: number;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('expected a port number (0 for any free port)');
  return parsed;
}

/**
 * Adds `codekb serve [--repo DIR] [--db PATH] [--http PORT]` to the program.
 *
 * @example registerServeCommand(program); // claude mcp add codekb -- codekb serve --repo DIR
 */
export function registerServeCommand(program: Command): Command {
  return vectorOptions(program.command('serve'))
    .description('serve the MCP tools over stdio, or over streamable HTTP on 127.0.0.1 with --http')
    .option('--repo <dir>', 'repository root', '.')
    .option('--db <path>', 'index file')
    .option('--http <port>', 'serve streamable HTTP on 127.0.0.1:PORT (0: any free port); token in $FLOTILLA_HOME/codekb/token', port)
    // The server's modules (MCP SDK, watcher, vector client) load only when serving: every other command starts faster.
    .action(async (flags: ServeFlags) => (await import('./serve-run.js')).serve(flags));
}

