/**
 * `mesh board …`: the hub's task board from a terminal. Every command goes through the hub's
 * HTTP API (`--hub URL`, or the hub's socket in FLOTILLA_HOME); the actions live in
 * `board-actions.ts` and load only when a command runs.
 */
import type { Command } from 'commander';
import type { TaskStatus } from '@flotilla/protocol';
import { UsageError, type MeshCliContext } from './context.js';
import { hubUrl } from './program.js';
import { STATUS_ORDER, parseLease } from './board-format.js';
import type { BoardCommandContext } from './board-actions.js';

/** The lease of a claim or renewal that names none: long enough for a long tool call, short enough to recover a dead holder. */
const DEFAULT_LEASE = '30m';
const TOKEN_HELP = 'the fencing token from the claim; without it, the task\'s current token is used only when you (--as, or this job or session) hold it';

export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function fencingToken(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--token: "${value}" is not a fencing token`, 'use the whole number printed by `mesh board claim`');
  return Number(value);
}

function statuses(values: readonly string[] | undefined): TaskStatus[] | undefined {
  const list = values?.flatMap((value) => value.split(',')).filter((value) => value !== '');
  for (const status of list ?? []) {
    if (!(STATUS_ORDER as readonly string[]).includes(status)) {
      throw new UsageError(`--status: "${status}" is not a task status`, `use ${STATUS_ORDER.join(', ')}`);
    }
  }
  return list?.length ? (list as TaskStatus[]) : undefined;
}

export function registerBoardCommands(program: Command, ctx: MeshCliContext): void {
  const connect = async (cmd: Command): Promise<BoardCommandContext & { transport: Awaited<ReturnType<MeshCliContext['hub']>> }> => {
    const { createBoardClient } = await import('@flotilla/protocol');
    const transport = await ctx.hub({ url: hubUrl(cmd) });
    return { board: createBoardClient(transport), transport, out: ctx.streams.stdout, json: Boolean(cmd.optsWithGlobals().json), nowMs: ctx.now() };
  };
  const actions = () => import('./board-actions.js');
  const board = program.command('board').description('the task board: add, ls, show, claim, renew, done, fail, handoff, review, approve, changes');

  board
    .command('add')
    .description('add a task (an agent\'s tasks, and --proposed ones, wait for `mesh board approve`)')
    .argument('<title>', 'what is to be done, in a line')
    .option('--body <TEXT>', 'the details')
    .option('--tag <T>', 'a tag (repeatable); the first one names the key, e.g. auth → AUTH-12', collect)
    .option('--priority <P>', 'high, normal or low', (value: string) => value)
    .option('--for <SESSION|ROLE>', 'only this session, or sessions with this role, may claim it')
    .option('--after <ID>', 'hold it until this task is done (repeatable)', collect)
    .option('--proposed', 'create it proposed: nobody may claim it until it is approved')
    .option('--json', 'print the task as JSON')
    .action(async (title: string, opts: { body?: string; tag?: string[]; priority?: string; for?: string; after?: string[]; proposed?: boolean }, cmd: Command) => {
      const { boardAdd, priorityOption } = await actions();
      const request = { title, body: opts.body, tags: opts.tag, for: opts.for, after: opts.after, proposed: opts.proposed };
      await boardAdd(await connect(cmd), { ...request, ...(opts.priority ? { priority: priorityOption(opts.priority) } : {}) });
    });
  board
    .command('ls')
    .description('tasks grouped by status (proposed, todo, doing, review, done, failed), with holder, lease left and attempts')
    .option('--status <S>', 'only this status (repeatable or comma-separated)', collect)
    .option('--tag <T>', 'only tasks with this tag')
    .option('--json', 'print the tasks as JSON')
    .action(async (opts: { status?: string[]; tag?: string }, cmd: Command) => {
      const status = statuses(opts.status);
      await (await actions()).boardLs(await connect(cmd), { ...(status ? { status } : {}), ...(opts.tag ? { tag: opts.tag } : {}) });
    });
  board
    .command('show')
    .description('a task in full: holder, lease, token, branch, body and history')
    .argument('<id>', 'the task key (AUTH-12) or id')
    .option('--json', 'print the task as JSON')
    .action(async (ref: string, _opts: unknown, cmd: Command) => void (await (await actions()).boardShow(await connect(cmd), ref)));
  board
    .command('claim')
    .description('take the best claimable task, or the one named, under a lease (exit code 3 when nothing, or not that one, is claimable)')
    .argument('[id]', 'claim this task (key or id) and no other')
    .option('--tag <T>', 'only tasks with this tag (repeatable; not with a named task)', collect)
    .option('--as <NAME>', 'claim as NAME (default: this session or job, else your login name)')
    .option('--lease <DURATION>', 'how long the claim lasts unless renewed', DEFAULT_LEASE)
    .option('--json', 'print the claimed task, with its id and fencing token, as JSON')
    .action(async (ref: string | undefined, opts: { tag?: string[]; as?: string; lease: string }, cmd: Command) => {
      if (ref !== undefined && opts.tag?.length) throw new UsageError('--tag picks among tasks; a named task is claimed as it is', `mesh board claim ${ref}`);
      const { boardClaim, holderIdentity } = await actions();
      const connection = await connect(cmd);
      const { createMeshClient } = await import('@flotilla/protocol');
      const options = { holder: holderIdentity(ctx.env, opts.as), tags: opts.tag, leaseMs: parseLease(opts.lease), mesh: createMeshClient(connection.transport) };
      await boardClaim(connection, ref === undefined ? options : { ...options, ref });
    });
  board
    .command('renew')
    .description('extend the lease of a task you hold')
    .argument('<id>', 'the task key or id')
    .requiredOption('--token <N>', 'the fencing token from the claim', fencingToken)
    .option('--lease <DURATION>', 'the new lease, from now', DEFAULT_LEASE)
    .option('--json', 'print the task as JSON')
    .action(async (ref: string, opts: { token: number; lease: string }, cmd: Command) => {
      await (await actions()).boardRenew(await connect(cmd), ref, { token: opts.token, leaseMs: parseLease(opts.lease) });
    });
  for (const outcome of ['done', 'fail'] as const) {
    board
      .command(outcome)
      .description(outcome === 'done' ? 'finish a task you hold' : 'give up a task you hold, saying why (counts as an attempt)')
      .argument('<id>', 'the task key or id')
      .requiredOption('--note <TEXT>', outcome === 'done' ? 'what was done' : 'why it failed')
      .option('--token <N>', TOKEN_HELP, fencingToken)
      .option('--as <NAME>', 'the name you claimed as')
      .option('--json', 'print the task as JSON')
      .action(async (ref: string, opts: { note: string; token?: number; as?: string }, cmd: Command) => {
        const { boardFinish, holderIdentity } = await actions();
        await boardFinish(await connect(cmd), ref, { outcome, note: opts.note, token: opts.token, holder: holderIdentity(ctx.env, opts.as) });
      });
  }
  board
    .command('handoff')
    .description('pass a task you hold to a session or role, with a note and the branch to continue from')
    .argument('<id>', 'the task key or id')
    .requiredOption('--to <SESSION|ROLE>', 'who takes it over')
    .requiredOption('--note <TEXT>', 'what is done and what is left')
    .option('--branch <B>', 'the branch to continue from')
    .option('--token <N>', TOKEN_HELP, fencingToken)
    .option('--as <NAME>', 'the name you claimed as')
    .option('--json', 'print the task as JSON')
    .action(async (ref: string, opts: { to: string; note: string; branch?: string; token?: number; as?: string }, cmd: Command) => {
      const { boardHandoff, holderIdentity } = await actions();
      await boardHandoff(await connect(cmd), ref, { ...opts, holder: holderIdentity(ctx.env, opts.as) });
    });
  board
    .command('review')
    .description('ask for a review of a task you hold: it moves to review with your note, your lease ends')
    .argument('<id>', 'the task key or id')
    .requiredOption('--note <TEXT>', 'what to review, and where')
    .option('--to <SESSION|ROLE>', 'who should review it (default: anyone; then only a person decides)')
    .option('--branch <B>', 'the branch to review')
    .option('--token <N>', TOKEN_HELP, fencingToken)
    .option('--as <NAME>', 'the name you claimed as')
    .option('--json', 'print the task as JSON')
    .action(async (ref: string, opts: { note: string; to?: string; branch?: string; token?: number; as?: string }, cmd: Command) => {
      const { boardReview, holderIdentity } = await actions();
      await boardReview(await connect(cmd), ref, { ...opts, holder: holderIdentity(ctx.env, opts.as) });
    });
  board
    .command('approve')
    .description('approve a proposed task (it becomes todo), or a task in review (it becomes done)')
    .argument('<id>', 'the task key or id')
    .option('--note <TEXT>', 'a note on the approved review')
    .option('--token <N>', 'for a review: the task\'s token as it went to review (default: its token now)', fencingToken)
    .option('--json', 'print the task as JSON')
    .action(async (ref: string, opts: { note?: string; token?: number }, cmd: Command) => void (await (await actions()).boardApprove(await connect(cmd), ref, opts)));
  board
    .command('changes')
    .description('send a task in review back: todo again, for the one who asked for the review, with your note')
    .argument('<id>', 'the task key or id')
    .requiredOption('--note <TEXT>', 'what to change')
    .option('--token <N>', 'the task\'s token as it went to review (default: its token now)', fencingToken)
    .option('--json', 'print the task as JSON')
    .action(async (ref: string, opts: { note: string; token?: number }, cmd: Command) => void (await (await actions()).boardChanges(await connect(cmd), ref, opts)));
}
