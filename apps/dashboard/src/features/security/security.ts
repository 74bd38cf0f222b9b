import type { DoctorCheck, DoctorReport, TelegramAddonStatus } from '@flotilla/protocol';
import type { Tone } from '../../ui/words';

export interface AgentAccess {
  agent: string;
  /** `ready`: installed and its credential works; `not_installed`: its CLI is missing; `broken`: installed, but a check failed. */
  state: 'ready' | 'not_installed' | 'broken';
  checks: DoctorCheck[];
}

export interface DoctorView {
  agents: AgentAccess[];
  /** Checks that are not about one agent (tmux, git). */
  tools: DoctorCheck[];
  /** Every failed check that says how to fix it, agents' first missing CLIs last (they are optional). */
  toFix: DoctorCheck[];
}

/** The agent a check is about: doctor names them `<agent> CLI`, `<agent> credential`, `<agent> last run`. */
function agentOf(check: DoctorCheck, agents: readonly string[]): string | null {
  return agents.find((agent) => check.name.startsWith(`${agent} `)) ?? null;
}

/**
 * Reads `/api/doctor` per agent: which can authenticate (installed and every check of its passes),
 * which are not installed (optional), which need fixing. `agents` are the server's agents
 * (`/api/capabilities`); agents only named by checks are added.
 */
export function readDoctor(report: DoctorReport, agents: readonly string[]): DoctorView {
  const named = [...agents];
  for (const check of report.checks) {
    const match = /^(\S+) (CLI|credential|last run)$/.exec(check.name);
    if (match && !named.includes(match[1]!)) named.push(match[1]!);
  }
  const byAgent = new Map<string, DoctorCheck[]>(named.map((agent) => [agent, []]));
  const tools: DoctorCheck[] = [];
  for (const check of report.checks) {
    const agent = agentOf(check, named);
    if (agent) byAgent.get(agent)!.push(check);
    else tools.push(check);
  }
  const access = [...byAgent].map(([agent, checks]): AgentAccess => {
    const cli = checks.find((c) => c.name === `${agent} CLI`);
    const state = !cli || !cli.ok ? 'not_installed' : checks.every((c) => c.ok) ? 'ready' : 'broken';
    return { agent, state, checks };
  });
  const missingCli = (c: DoctorCheck) => access.some((a) => a.state === 'not_installed' && c.name === `${a.agent} CLI`);
  const failed = report.checks.filter((c) => !c.ok);
  return { agents: access, tools, toFix: [...failed.filter((c) => !missingCli(c)), ...failed.filter(missingCli)] };
}

/** The bot's state in a badge and a sentence: running, not configured (and why), or restarting after failures. */
export function telegramWords(status: TelegramAddonStatus): { label: string; tone: Tone; detail: string } {
  const proc = status.process;
  if (status.bot && !status.bot.configured) {
    return { label: 'not configured', tone: 'muted', detail: status.bot.problem ?? 'Run cb-telegram setup on this machine.' };
  }
  if (!proc) return { label: 'not running', tone: 'muted', detail: 'The server starts the bot while it serves (cb serve / mesh serve).' };
  if (proc.running) {
    const name = status.bot?.username ? `@${status.bot.username}` : 'The bot';
    return { label: 'running', tone: 'good', detail: `${name} answers ${status.bot?.mode === 'webhook' ? 'through its webhook' : 'by long polling'}.` };
  }
  const why = proc.lastError ?? proc.lastExit ?? 'it ended';
  return { label: proc.lastExit === 'exit 78' ? 'stopped' : 'restarting', tone: 'bad', detail: `It stopped (${why})${proc.restarts ? ` and was started again ${proc.restarts} times` : ''}.` };
}
