/** `mesh hosts add|ls|rm|trust`: the fleet's SSH hosts (bodies in ../hosts/, loaded when run). */
import type { Command } from 'commander';
import type { MeshCliContext } from './context.js';
import { registerBootstrapCommand } from '../bootstrap/bootstrap-command.js';
import { hubUrl } from './program.js';

export function registerHostCommands(program: Command, ctx: MeshCliContext): void {
  const hosts = program.command('hosts').description('the SSH hosts of the fleet ($FLOTILLA_HOME/hosts.json)');
  hosts
    .command('add')
    .description('add a host: connects once to check its key (unknown keys stay refused until `mesh hosts trust`)')
    .argument('<NAME>', 'an alias from ~/.ssh/config, or user@host[:port]')
    .option('--name <N>', 'its name in the fleet (default: the alias or host)')
    .action(async (spec: string, options: { name?: string }) => {
      const { addHost } = await import('../hosts/hosts-cli.js');
      await addHost(ctx, spec, options);
    });
  hosts
    .command('ls')
    .description('the hosts: reachable?, latency, cb version, jobs, sessions, free slots (from the hub, or probed directly)')
    .option('--json', 'print the hosts as JSON (the hub\'s Host objects)')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { listHosts } = await import('../hosts/hosts-cli.js');
      const url = hubUrl(command);
      await listHosts(ctx, { json: options.json === true, ...(url === undefined ? {} : { hubUrl: url }) });
    });
  hosts
    .command('rm')
    .description('remove a host from the fleet (its jobs keep running there)')
    .argument('<NAME>')
    .action(async (name: string) => {
      const { removeHost } = await import('../hosts/hosts-cli.js');
      await removeHost(ctx, name);
    });
  hosts
    .command('trust')
    .description("show a host's key and add it to known_hosts once you accept it (a changed key is never trusted)")
    .argument('<NAME>', 'a host of the fleet, or an alias / user@host[:port]')
    .option('--yes', 'trust without asking')
    .option('--fingerprint <SHA256>', 'trust only if the host offers this key (SHA256:…)')
    .action(async (name: string, options: { yes?: boolean; fingerprint?: string }) => {
      const { trustHost } = await import('../hosts/trust-cli.js');
      await trustHost(ctx, name, options);
    });
  registerBootstrapCommand(hosts, ctx);
}
