/**
 * Work across the fleet from one terminal: `mesh run`, `ls`, `show`, `logs`, `attach`,
 * `session new|ls`, `sync` — all through the hub.
 */
import { Option, type Command } from 'commander';
import { isTerminal, type CreateJobRequest } from '@flotilla/protocol';
import { UsageError, printJson, printLine, type MeshCliContext } from './context.js';
import { createFleetClient, type FleetClient } from './fleet-client.js';
import { formatJobLine, formatJobDetail, formatSessionLine } from './fleet-format.js';
import { hubUrl } from './program.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerFleetCommands(program: Command, ctx: MeshCliContext): void {
  const connect = async (cmd: Command): Promise<FleetClient> => createFleetClient(await ctx.hub({ url: hubUrl(cmd) }));
  const out = ctx.streams.stdout;

  program
    .command('run')
    .description('start a job on a host of the fleet (--host NAME, or --any: free slots, no pause, the directory there)')
    .argument('<prompt...>', 'what the agent should do')
    .option('--host <NAME>', 'the host to run it on')
    .option('--any', 'let the hub pick a host')
    .option('--agent <NAME>', 'claude, codex or a custom agent')
    .option('--model <MODEL>', 'the model')
    .option('--cwd <DIR>', 'the working directory on that host (default: this directory)')
    .option('--worktree', 'run in a fresh git worktree on its own branch')
    .option('--tag <TAG>', 'a tag (repeatable)', collect)
    .option('--idempotency-key <KEY>', 'run it at most once per key (safe to repeat after a lost answer)')
    .option('--wait', 'wait for the job to end and print its result')
    .option('--json', 'print the job as JSON')
    .action(async (prompt: string[], opts: RunOptions, cmd: Command) => {
      if (Boolean(opts.host) === Boolean(opts.any)) throw new UsageError('say where: --host NAME or --any', 'mesh hosts ls lists the hosts');
      const client = await connect(cmd);
      const request: CreateJobRequest = {
        prompt: prompt.join(' '),
        agent: opts.agent,
        model: opts.model,
        cwd: opts.cwd ?? process.cwd(),
        worktree: opts.worktree,
        tags: opts.tag,
        idempotencyKey: opts.idempotencyKey,
      };
      let job = await client.dispatch(request, opts.any ? 'any' : opts.host!);
      if (opts.wait) while (!isTerminal(job.status)) job = await client.waitJob(job.id, { timeoutMs: 60_000 });
      if (opts.json) printJson(out, job);
      else printLine(out, opts.wait ? formatJobDetail(job) : `${job.id} ${job.status} on ${job.host}`);
    });

  program
    .command('ls')
    .description('jobs across every host: id, host, status, agent, age, prompt')
    .option('--host <NAME>', 'only this host')
    .addOption(new Option('--status <STATUS>', 'only this status (repeatable)').argParser(collect))
    .option('--limit <N>', 'at most N jobs', (v) => Number.parseInt(v, 10), 30)
    .option('--json', 'print the page as JSON')
    .action(async (opts: { host?: string; status?: string[]; limit: number; json?: boolean }, cmd: Command) => {
      const page = await (await connect(cmd)).fleetJobs({ host: opts.host, status: opts.status, limit: opts.limit });
      if (opts.json) return printJson(out, page);
      if (page.items.length === 0) return printLine(out, 'no jobs');
      for (const job of page.items) printLine(out, formatJobLine(job, ctx.now()));
    });

  program
    .command('show')
    .description("a job's status, result, failure, cost and branch, wherever it runs")
    .argument('<id>', 'a job id (or its start)')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const job = await (await connect(cmd)).getJob(id);
      if (opts.json) printJson(out, job);
      else printLine(out, formatJobDetail(job));
    });

  program
    .command('logs')
    .description("a job's output; -f follows it until the job ends")
    .argument('<id>', 'a job id (or its start)')
    .option('-f, --follow', 'keep printing new output until the job ends')
    .action(async (id: string, opts: { follow?: boolean }, cmd: Command) => {
      const client = await connect(cmd);
      let offset = 0;
      for (;;) {
        const chunk = await client.log(id, { offset });
        if (chunk.data) out.write(chunk.data);
        offset = chunk.nextOffset;
        if (!opts.follow) return;
        if (chunk.complete && isTerminal((await client.getJob(id)).status)) return;
        if (!chunk.data) await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });

  program
    .command('attach')
    .description("attach to a session or job's terminal on its host, through your own ssh")
    .argument('<ref>', 'a session name (name@host when several hosts have one) or a job id')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const { attach } = await import('./attach-command.js');
      process.exitCode = await attach(await connect(cmd), ref, ctx);
    });

  registerSessionCommands(program, ctx, connect);

  program
    .command('sync')
    .description('fetch and fast-forward a repository on every host that has it')
    .argument('<repo>', 'the repository path (the same on every host)')
    .option('--json', 'print each host\'s result as JSON')
    .action(async (repo: string, opts: { json?: boolean }, cmd: Command) => {
      const results = await (await connect(cmd)).sync(repo);
      if (opts.json) return printJson(out, results);
      for (const result of results) printLine(out, `${result.host.padEnd(16)} ${result.ok ? 'ok  ' : 'FAIL'} ${result.output}`);
      if (results.some((result) => !result.ok)) process.exitCode = 1;
    });
}

interface RunOptions {
  host?: string;
  any?: boolean;
  agent?: string;
  model?: string;
  cwd?: string;
  worktree?: boolean;
  tag?: string[];
  idempotencyKey?: string;
  wait?: boolean;
  json?: boolean;
}

function registerSessionCommands(program: Command, ctx: MeshCliContext, connect: (cmd: Command) => Promise<FleetClient>): void {
  const out = ctx.streams.stdout;
  const session = program.command('session').description('interactive agent sessions across the fleet');
  session
    .command('new')
    .description('start an interactive agent session on a host')
    .argument('<name>', 'the session name')
    .requiredOption('--host <NAME>', 'the host to start it on')
    .option('--agent <NAME>', 'claude, codex or a custom agent', 'claude')
    .option('--model <MODEL>', 'the model')
    .option('--cwd <DIR>', 'the working directory on that host (default: this directory)')
    .option('--worktree', 'in a fresh git worktree')
    .option('--role <ROLE>', 'a role it declares, e.g. reviewer (repeatable)', collect)
    .option('--tag <TAG>', 'a skill tag, e.g. backend (repeatable)', collect)
    .option('--auto', 'claim matching board tasks by itself whenever it becomes idle')
    .option('--json', 'print the session as JSON')
    .action(async (name: string, opts: SessionNewOptions, cmd: Command) => {
      const client = await connect(cmd);
      const created = await client.createSessionOn({ name, agent: opts.agent, model: opts.model, cwd: opts.cwd ?? process.cwd(), worktree: opts.worktree ?? false }, opts.host);
      if (opts.role || opts.tag || opts.auto) {
        const transport = await ctx.hub({ url: hubUrl(cmd) });
        await transport.request({ method: 'PUT', path: `/api/profiles/${encodeURIComponent(name)}`, body: { roles: opts.role, tags: opts.tag, auto: opts.auto ?? false } });
      }
      if (opts.json) printJson(out, created);
      else printLine(out, `${created.name} started on ${created.host} (${created.agent}, ${created.state})`);
    });
  session
    .command('ls')
    .description('sessions on every host')
    .option('--all', 'ended ones too')
    .option('--json', 'print them as JSON')
    .action(async (opts: { all?: boolean; json?: boolean }, cmd: Command) => {
      const sessions = await (await connect(cmd)).listSessions({ all: opts.all });
      if (opts.json) return printJson(out, sessions);
      if (sessions.length === 0) return printLine(out, 'no sessions');
      for (const item of sessions) printLine(out, formatSessionLine(item, ctx.now()));
    });
}

interface SessionNewOptions {
  host: string;
  agent: string;
  model?: string;
  cwd?: string;
  worktree?: boolean;
  role?: string[];
  tag?: string[];
  auto?: boolean;
  json?: boolean;
}
