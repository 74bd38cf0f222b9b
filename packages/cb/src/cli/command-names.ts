/**
 * Every subcommand `cli.ts` registers. A first positional argument equal to one of these is a
 * command, anything else is a prompt (`cb -- ls` sends the prompt "ls"). `cli.test.ts` checks
 * that this list and the commander program agree.
 */
export const COMMAND_NAMES: ReadonlySet<string> = new Set([
  'run',
  'ls',
  'show',
  'logs',
  'attach',
  'takeover',
  'cancel',
  'wait',
  'retry',
  'resume',
  'inbox',
  'read',
  'doctor',
  'gc',
  'stats',
  'daemon',
  'serve',
  'help',
]);
