/**
 * How the link authenticates, as ssh does by default: the ssh-agent's keys first, then each
 * IdentityFile that exists (the config's, or OpenSSH's default list). An encrypted key cannot be
 * used without a prompt, so it is skipped with a note (load it into the agent with `ssh-add`).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AgentAuthMethod, PublicKeyAuthMethod } from 'ssh2';
import ssh2 from 'ssh2';
import type { SshTarget } from '../ssh/ssh-config.js';

export interface AuthPlan {
  /** ssh2 `authHandler` entries, tried in order. */
  methods: Array<AgentAuthMethod | PublicKeyAuthMethod>;
  /** What was tried, for the error when every method fails (`ssh-agent`, key paths). */
  tried: string[];
  /** Keys left out and why, in words. */
  skipped: string[];
}

/**
 * The methods for `target`. `agentSocket` is the ssh-agent socket (SSH_AUTH_SOCK) or null.
 * With `IdentitiesOnly yes` the agent is still asked, as ssh would only for keys the config
 * names; ssh2 cannot filter an agent's keys, so the agent's keys are all offered.
 */
export function planAuth(target: SshTarget, agentSocket: string | null, configuredIdentityFiles: boolean): AuthPlan {
  const plan: AuthPlan = { methods: [], tried: [], skipped: [] };
  const username = target.user;
  const agentUsable = agentSocket !== null && existsSync(agentSocket);
  if (agentUsable) {
    plan.methods.push({ type: 'agent', username, agent: agentSocket });
    plan.tried.push('ssh-agent');
  }
  for (const path of target.identityFiles) {
    const key = readKeyFile(path);
    if (key.kind === 'missing') {
      if (configuredIdentityFiles) plan.skipped.push(`${path}: no such file`);
      continue;
    }
    if (key.kind === 'unusable') {
      plan.skipped.push(`${path}: ${key.reason}${key.encrypted && !agentUsable ? ' (no ssh-agent to ask; load it with `ssh-add`)' : ''}`);
      continue;
    }
    plan.methods.push({ type: 'publickey', username, key: key.data });
    plan.tried.push(path);
  }
  return plan;
}

type KeyFile = { kind: 'missing' } | { kind: 'unusable'; reason: string; encrypted: boolean } | { kind: 'usable'; data: Buffer };

function readKeyFile(path: string): KeyFile {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return { kind: 'missing' };
  }
  const parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    return { kind: 'unusable', reason: encrypted ? 'encrypted with a passphrase' : `not a key ssh2 can read (${parsed.message})`, encrypted };
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || !key.isPrivateKey()) return { kind: 'unusable', reason: 'not a private key', encrypted: false };
  return { kind: 'usable', data };
}

/** The words for "every method failed". */
export function describeAuthFailure(plan: AuthPlan, where: string): string {
  const tried = plan.tried.length === 0 ? 'no usable key (no ssh-agent, no key file)' : `tried ${plan.tried.join(', ')}`;
  const skipped = plan.skipped.length === 0 ? '' : `; skipped ${plan.skipped.join('; ')}`;
  return `authentication failed for ${where}: ${tried}${skipped}`;
}
