/**
 * `mesh msg`, `mesh channel` and `mesh profile`: messages into sessions (with receipts), the
 * shared channel, and what each session declares it can do — all through the hub's HTTP API.
 */
import type { Command } from 'commander';
import type { MeshCliContext } from './context.js';
import { hubUrl } from './program.js';
import { collect } from './board-commands.js';
import type { MessageCommandContext } from './message-actions.js';

export function registerMessageCommands(program: Command, ctx: MeshCliContext): void {
  const connect = async (cmd: Command): Promise<MessageCommandContext> => {
    const { createMeshClient } = await import('@flotilla/protocol');
    return { mesh: createMeshClient(await ctx.hub({ url: hubUrl(cmd) })), out: ctx.streams.stdout, json: Boolean(cmd.optsWithGlobals().json) };
  };
  const actions = () => import('./message-actions.js');

  program
    .command('msg')
    .description('send a message into a session, or every session holding a role (@reviewer); delivered with a receipt, later if the session is down')
    .argument('<to>', 'SESSION or @role')
    .argument('<text>', 'the message')
    .option('--json', 'print the stored message, with its deliveries, as JSON')
    .action(async (to: string, text: string, _opts: unknown, cmd: Command) => void (await (await actions()).sendMessage(await connect(cmd), to, text)));

  const channel = program
    .command('channel')
    .description('the shared channel: recent posts (-f: follow); `mesh channel post "text"` to write (@session and @role mentions are delivered)')
    .option('-f, --follow', 'keep printing new posts until interrupted')
    .option('--json', 'print posts as JSON (JSON Lines with -f)')
    .action(async (opts: { follow?: boolean }, cmd: Command) => {
      const { followChannel, showChannel } = await actions();
      const connection = await connect(cmd);
      if (!opts.follow) return void (await showChannel(connection));
      const stop = new AbortController();
      const interrupt = (): void => stop.abort();
      process.once('SIGINT', interrupt);
      try {
        await followChannel(connection, { signal: stop.signal });
      } finally {
        process.off('SIGINT', interrupt);
      }
    });
  channel
    .command('post')
    .description('post to the channel')
    .argument('<text>', 'the post; @session and @role mentions are delivered into those sessions')
    .option('--json', 'print the stored post as JSON')
    .action(async (text: string, _opts: unknown, cmd: Command) => void (await (await actions()).postToChannel(await connect(cmd), text)));

  program
    .command('profile')
    .description('declare what a session can do (roles, skill tags, --auto to claim matching board tasks when idle); without options, show it')
    .argument('<session>', 'the session name')
    .option('--role <R>', 'a role, e.g. reviewer (repeatable; replaces the roles)', collect)
    .option('--tag <T>', 'a skill tag, e.g. backend (repeatable; replaces the tags)', collect)
    .option('--auto', 'claim matching board tasks whenever the session becomes idle')
    .option('--no-auto', 'stop claiming by itself')
    .option('--json', 'print the profile as JSON')
    .action(async (session: string, opts: { role?: string[]; tag?: string[]; auto?: boolean }, cmd: Command) => {
      await (await actions()).declareProfile(await connect(cmd), session, { roles: opts.role, tags: opts.tag, auto: opts.auto });
    });
}
