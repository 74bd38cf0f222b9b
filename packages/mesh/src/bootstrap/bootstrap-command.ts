/**
 * `mesh hosts bootstrap NAME [--force] [--json]`: installs the hub's own cb on a host of the fleet
 * (see bootstrap-host.ts). Registered under `mesh hosts` by `registerBootstrapCommand(hosts, ctx)`;
 * the body loads when the command runs.
 */
import type { Command } from 'commander';
import type { MeshCliContext } from '../cli/context.js';

export function registerBootstrapCommand(hostsCommand: Command, ctx: MeshCliContext): void {
  hostsCommand
    .command('bootstrap')
    .description("install cb on a host from the hub's own packages: copied over SFTP, installed offline by npm into ~/.flotilla, then a running daemon is restarted on it (the host needs node ≥ 20 and npm, no registry; one bootstrap of a host at a time)")
    .argument('<NAME>', 'a host of the fleet (mesh hosts ls)')
    .option('--force', 'install again even when the host already has this version (its daemon is restarted; jobs and sessions keep running)')
    .option('--json', 'print the result as JSON (progress goes to stderr)')
    .action(async (name: string, options: { force?: boolean; json?: boolean }) => {
      const { bootstrapCommand } = await import('./bootstrap-cli.js');
      await bootstrapCommand(ctx, name, { force: options.force === true, json: options.json === true });
    });
}
