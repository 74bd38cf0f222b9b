import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { ProtocolError } from '@flotilla/protocol';
import type { CredentialStatus } from '../agents/types.js';
import type { JobSecrets } from '../store/types.js';
import type { DaemonContext } from './context.js';
import { buildAgentEnv } from './env.js';

const INSTALL_HINTS: Record<string, string> = {
  claude: 'install Claude Code: npm install -g @anthropic-ai/claude-code',
  codex: 'install Codex: npm install -g @openai/codex',
};

/** The agent's environment without the per-attempt FLOTILLA_* variables. */
export function agentEnv(ctx: DaemonContext, secrets: JobSecrets): Record<string, string> {
  return buildAgentEnv({
    daemonEnv: ctx.env,
    configEnv: ctx.config.env,
    extraPrefixes: ctx.config.envAllowlist,
    clientEnv: secrets.clientEnv ?? null,
    jobEnv: secrets.env,
    flotilla: {},
  });
}

/** `command` resolved against PATH the way execvp would, or null. */
export function whichCommand(command: string, path: string | undefined): string | null {
  const candidates = isAbsolute(command) || command.includes('/') ? [command] : (path ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function credentialFor(ctx: DaemonContext, agent: string, env: Record<string, string>): CredentialStatus {
  const adapter = ctx.agents.get(agent);
  if (!adapter) return { ok: false, credential: 'none', detail: `unknown agent ${agent}`, fix: null };
  return adapter.credentialStatus(env, env.HOME ?? ctx.env.HOME ?? '/');
}

/**
 * Refuses at once, with the fix in words, a job whose agent is missing, cannot authenticate, or
 * whose credential's last run ended in an auth/billing/model failure (until `cb doctor` passes).
 */
export async function checkAgentReady(ctx: DaemonContext, agent: string, secrets: JobSecrets): Promise<CredentialStatus> {
  const adapter = ctx.agents.get(agent);
  if (!adapter) throw new ProtocolError('AGENT_UNKNOWN', `unknown agent "${agent}"`);
  const env = agentEnv(ctx, secrets);
  if (!whichCommand(adapter.command, env.PATH)) {
    throw new ProtocolError('AGENT_UNAVAILABLE', `the ${agent} CLI (${adapter.command}) is not on the daemon's PATH`, {
      fix: INSTALL_HINTS[agent] ?? `install ${adapter.command} or fix "agents.${agent}.argv" in the config`,
    });
  }
  const status = credentialFor(ctx, agent, env);
  if (!status.ok) {
    throw new ProtocolError('AGENT_CANNOT_AUTHENTICATE', `${agent} cannot authenticate: ${status.detail}`, {
      fix: status.fix ?? undefined,
    });
  }
  const states = await ctx.store.credentialStates();
  const bad = states.find((s) => s.agent === agent && s.credential === status.credential && s.unusable);
  if (bad) {
    throw new ProtocolError('AGENT_CANNOT_AUTHENTICATE', `${agent}'s credential is marked unusable: its last run ended ${bad.unusable} (${bad.message ?? 'no detail'})`, {
      fix: 'fix the credential, then run `cb doctor` to check it and clear the mark',
    });
  }
  return status;
}
