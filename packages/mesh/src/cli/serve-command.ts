/**
 * `mesh serve`: runs the hub in this process until interrupted — the hosts of `hosts.json` over
 * SSH, the CLI socket, and with `--port` the API and dashboard on 127.0.0.1 (the first line
 * printed is then a one-time sign-in link).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { printJson, printLine, type MeshCliContext } from './context.js';

export function registerServeCommand(program: Command, ctx: MeshCliContext): void {
  program
    .command('serve')
    .description('run the hub: connect to every host, serve the fleet on $FLOTILLA_HOME/mesh.sock (and 127.0.0.1:PORT)')
    .option('--port <N>', 'also serve the API and dashboard on 127.0.0.1:N (0: any free port)', (value) => Number.parseInt(value, 10))
    .option('--name <NAME>', "the hub's name in events (default: this machine's hostname)")
    .option('--json', 'print {socket, url, signInUrl} as JSON once listening')
    .action(async (opts: { port?: number; name?: string; json?: boolean }) => {
      const { startHubProcess } = await import('../hub/hub-process.js');
      const running = await startHubProcess({ paths: ctx.paths, env: ctx.env, name: opts.name ?? ctx.env.FLOTILLA_HOST_NAME ?? hostname(), port: opts.port });
      const signInUrl = running.signInUrl();
      if (opts.json) printJson(ctx.streams.stdout, { socket: ctx.paths.socket, url: running.http?.url ?? null, signInUrl });
      else {
        if (signInUrl) printLine(ctx.streams.stdout, signInUrl);
        printLine(ctx.streams.stdout, `hub listening on ${ctx.paths.socket}${running.http ? ` and ${running.http.url}` : ''}; ${running.hub.hosts().length} host(s) from ${ctx.paths.hosts}`);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
    });
}
