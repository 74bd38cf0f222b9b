/**
 * `cb board …` and `cb msg …`, registered on the commander program by `cli.ts`; each implementation
 * (`commands/board.ts`, `commands/msg.ts`) is imported only when it runs. Inside a job or session
 * they authenticate with FLOTILLA_JOB_TOKEN, outside as the user.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import type { RelayClient } from './relay-client.js';

const json = (cmd: Command): boolean => Boolean(cmd.optsWithGlobals().json);
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function fencingToken(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--token: "${value}" is not a fencing token (a whole number from cb board claim --json)`);
  return Number(value);
}

/**
 * Outside a job: the daemon as for every command (started if needed). Inside one: the running
 * daemon's socket only — an agent never starts a second daemon because its sandbox hid the first.
 */
async function relayClient(ctx: CliContext): Promise<RelayClient> {
  const { createRelayClient, jobToken, socketFromJob } = await import('./relay-client.js');
  const token = jobToken(ctx.env);
  return createRelayClient(token ? await socketFromJob(ctx.paths) : await ctx.connect(), token);
}

export function registerRelayCommands(program: Command, ctx: CliContext): void {
  const common = async (cmd: Command) => ({ relay: await relayClient(ctx), streams: ctx.streams, json: json(cmd), now: ctx.now });
  const board = program.command('board').description("the mesh hub's task board: ls, add, claim, done, fail, handoff, show");
  board
    .command('ls')
    .description('tasks with status, holder and lease left')
    .option('--status <S>', 'only these statuses (comma-separated: proposed, todo, doing, review, done, failed)')
    .option('--tag <T>', 'only tasks with this tag')
    .option('--json', 'print the tasks as JSON')
    .action(async (opts: { status?: string; tag?: string }, cmd: Command) => {
      const { boardLs } = await import('./commands/board.js');
      await boardLs({ ...(await common(cmd)), ...opts });
    });
  board
    .command('add')
    .description('add a task')
    .argument('<title>', 'what is to be done, in a line')
    .option('--body <TEXT>', 'the details')
    .option('--tag <T>', 'a tag (repeatable)', collect)
    .option('--priority <P>', 'high, normal or low')
    .option('--for <SESSION|ROLE>', 'only this session or role may claim it')
    .option('--after <ID>', 'hold it until this task is done (repeatable)', collect)
    .option('--json', 'print the task as JSON')
    .action(async (title: string, opts: { body?: string; tag?: string[]; priority?: string; for?: string; after?: string[] }, cmd: Command) => {
      const { boardAdd } = await import('./commands/board.js');
      await boardAdd({ ...(await common(cmd)), ...opts, title });
    });
  board
    .command('claim')
    .description('take the next claimable task, or the one named (exit 3 when there is none, or that one is not claimable)')
    .argument('[id]', 'claim this task (id or key) and no other')
    .option('--tag <T>', 'only tasks with this tag (repeatable; not with a named task)', collect)
    .option('--json', 'print the task, with its id and fencing token, as JSON')
    .action(async (ref: string | undefined, opts: { tag?: string[] }, cmd: Command) => {
      const { boardClaim } = await import('./commands/board.js');
      await boardClaim({ ...(await common(cmd)), ...opts, ...(ref === undefined ? {} : { ref }) });
    });
  for (const outcome of ['done', 'fail'] as const) {
    board
      .command(outcome)
      .description(outcome === 'done' ? 'finish a task you hold' : 'give up a task you hold, saying why')
      .argument('<id>', 'the task id or key')
      .requiredOption('--note <TEXT>', outcome === 'done' ? 'what was done' : 'why it failed')
      .option('--token <N>', "the claim's fencing token (default: the one this host remembers)", fencingToken)
      .option('--json', 'print the task as JSON')
      .action(async (ref: string, opts: { note: string; token?: number }, cmd: Command) => {
        const { boardFinish } = await import('./commands/board.js');
        await boardFinish({ ...(await common(cmd)), ...opts, ref, outcome });
      });
  }
  board
    .command('handoff')
    .description('pass a task you hold to a session or role, with a note (and the branch to start from)')
    .argument('<id>', 'the task id or key')
    .requiredOption('--to <SESSION|ROLE>', 'who takes it over')
    .requiredOption('--note <TEXT>', 'what is done and what is left')
    .option('--branch <B>', 'the branch to continue from')
    .option('--token <N>', "the claim's fencing token (default: the one this host remembers)", fencingToken)
    .option('--json', 'print the task as JSON')
    .action(async (ref: string, opts: { to: string; note: string; branch?: string; token?: number }, cmd: Command) => {
      const { boardHandoff } = await import('./commands/board.js');
      await boardHandoff({ ...(await common(cmd)), ...opts, ref });
    });
  board
    .command('show')
    .description('a task: status, holder, lease, branch, body and history')
    .argument('<id>', 'the task id or key')
    .option('--json', 'print the task as JSON')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const { boardShow } = await import('./commands/board.js');
      await boardShow({ ...(await common(cmd)), ref });
    });

  program
    .command('msg')
    .description('message a session or @role through the mesh hub, or post to the channel (--channel)')
    .argument('<words...>', 'SESSION|@role "text", or with --channel just "text"')
    .option('--channel', 'post to the shared channel instead')
    .option('--json', 'print the message (or {queued, id}) as JSON')
    .action(async (words: string[], opts: { channel?: boolean }, cmd: Command) => {
      const { msg } = await import('./commands/msg.js');
      await msg({ ...(await common(cmd)), words, channel: opts.channel });
    });
}
