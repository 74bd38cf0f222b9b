/**
 * The `cb-telegram` commander program: `run` (the default), `setup` and `status`. Command bodies
 * are imported only when they run.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CliContext } from './context.js';

/** Parses `argv` and runs the command; resolves the exit code (2 for usage errors). */
export async function runProgram(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    await createProgram(ctx).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function createProgram(ctx: CliContext): Command {
  const program = new Command('cb-telegram')
    .description('A Telegram bot for a cb daemon or a mesh hub: start work, see what needs you, answer it, get the results — for allow-listed users only.')
    .option('--hub <URL>', 'the hub or daemon URL to drive (token from FLOTILLA_HUB_TOKEN or FLOTILLA_TOKEN); default: $FLOTILLA_HOME/mesh.sock, then cb.sock')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => void ctx.streams.stdout.write(s), writeErr: (s) => void ctx.streams.stderr.write(s) })
    .showHelpAfterError('(cb-telegram --help lists every command)');

  program
    .command('run', { isDefault: true })
    .description('run the bot (long polling; --webhook for a server with a public URL) until interrupted')
    .option('--webhook', 'receive updates on a webhook (telegram.json webhook: {url, secret, port[, host]}) instead of long polling')
    .option('--server <SOCKET|URL>', "the daemon's or hub's unix socket, or its URL (what `cb serve` / `mesh serve` pass)")
    .action(async (opts: { webhook?: boolean; server?: string }) => {
      const { run } = await import('./commands/run.js');
      await run(ctx, { server: opts.server ?? program.opts<{ hub?: string }>().hub, webhook: opts.webhook === true });
    });

  program
    .command('setup')
    .description('connect a BotFather token and allow your Telegram user: you send /start from the phone and confirm')
    .option('--token <TOKEN>', 'the BotFather token (default: asked for; or TELEGRAM_BOT_TOKEN)')
    .option('--api-root <URL>', 'a self-hosted Bot API server (default https://api.telegram.org)')
    .option('--yes', 'allow the first user who sends /start without asking (needed when stdin is not a terminal)')
    .option('--timeout <SECONDS>', 'how long to wait for /start', positiveInt, 300)
    .action(async (opts: { token?: string; apiRoot?: string; yes?: boolean; timeout: number }) => {
      const { setup } = await import('./commands/setup.js');
      await setup(ctx, { token: opts.token, apiRoot: opts.apiRoot, yes: opts.yes === true, timeoutMs: opts.timeout * 1000 });
    });

  program
    .command('status')
    .description('the configuration without its secrets: bot username, allowed users, mode, whether a poller runs')
    .option('--json', 'print one JSON document')
    .option('--offline', 'do not ask Telegram for the bot username')
    .action(async (opts: { json?: boolean; offline?: boolean }) => {
      const { status } = await import('./commands/status.js');
      await status(ctx, { json: opts.json === true, offline: opts.offline === true });
    });
  return program;
}
