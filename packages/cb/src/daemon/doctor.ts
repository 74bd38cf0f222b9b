import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { DoctorCheck, DoctorReport } from '@flotilla/protocol';
import type { DaemonContext } from './context.js';
import { agentEnv, credentialFor, whichCommand } from './readiness.js';

/** A version probe that takes longer than this is a broken install, not a slow one. */
const VERSION_TIMEOUT_MS = 15_000;
/** The live authentication probe is one tiny request, with the agent's own retries. */
const PROBE_TIMEOUT_MS = 120_000;

function run(argv: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [command, ...args] = argv as [string, ...string[]];
    const child = execFile(command, args, { env, timeout: timeoutMs, cwd: tmpdir(), maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end();
  });
}

async function toolCheck(name: string, argv: string[], fix: string, env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  if (!whichCommand(argv[0]!, env.PATH)) return { name, ok: false, detail: 'not found on PATH', fix };
  const result = await run(argv, env, VERSION_TIMEOUT_MS);
  const version = (result.stdout || result.stderr).trim().split('\n')[0] ?? '';
  return result.code === 0 ? { name, ok: true, detail: version, fix: null } : { name, ok: false, detail: version || `exit ${result.code}`, fix };
}

/** Runs one trivial prompt with the credential; clears its unusable mark when it works. */
async function probeCredential(ctx: DaemonContext, agent: string, env: Record<string, string>): Promise<{ ok: boolean; detail: string }> {
  const adapter = ctx.agents.get(agent)!;
  const launch = adapter.launch({ prompt: 'Reply with the single word OK.', model: ctx.config.models[agent] ?? null, permissions: 'accept-edits', cwd: tmpdir(), resumeSessionId: null, isRoot: process.getuid?.() === 0 });
  const started = Date.now();
  const result = await run(launch.argv, { ...env, ...launch.env }, PROBE_TIMEOUT_MS);
  const accumulator = adapter.createAccumulator();
  for (const line of result.stdout.split('\n')) if (line) accumulator.push(line);
  const exit = { exitCode: result.code, signal: null, durationMs: Date.now() - started, stoppedBy: null, spawnError: null };
  const outcome = adapter.classify({ progress: accumulator.progress(), exit, stderrTail: result.stderr.slice(-2000) });
  if (outcome.status === 'succeeded') return { ok: true, detail: 'a test prompt succeeded' };
  return { ok: false, detail: `${outcome.failure?.kind}: ${outcome.failure?.message}` };
}

async function agentChecks(ctx: DaemonContext, agent: string): Promise<DoctorCheck[]> {
  const adapter = ctx.agents.get(agent)!;
  const env = agentEnv(ctx, { env: {} });
  const install = agent === 'claude' ? 'npm install -g @anthropic-ai/claude-code' : agent === 'codex' ? 'npm install -g @openai/codex' : `install ${adapter.command}`;
  const version = await toolCheck(`${agent} CLI`, [adapter.command, '--version'], install, env);
  if (!version.ok) return [version];
  const status = credentialFor(ctx, agent, env);
  const auth: DoctorCheck = { name: `${agent} credential`, ok: status.ok, detail: `${status.credential}: ${status.detail}`, fix: status.fix };
  const checks = [version, auth];
  const mark = (await ctx.store.credentialStates()).find((s) => s.agent === agent && s.credential === status.credential && s.unusable);
  if (status.ok && mark) {
    const probe = await probeCredential(ctx, agent, env);
    if (probe.ok) await ctx.store.setCredentialState({ ...mark, unusable: null, message: null });
    checks.push({
      name: `${agent} last run`,
      ok: probe.ok,
      detail: probe.ok ? `was marked ${mark.unusable}; ${probe.detail}, mark cleared` : `marked ${mark.unusable} (${mark.message}); probe: ${probe.detail}`,
      fix: probe.ok ? null : 'fix the credential (log in again, top up billing, or pick an available --model), then run `cb doctor` again',
    });
  }
  return checks;
}

export async function doctor(ctx: DaemonContext): Promise<DoctorReport> {
  const env = ctx.env;
  const checks: DoctorCheck[] = [
    await toolCheck('tmux', ['tmux', '-V'], 'install tmux: apt-get install tmux (Debian/Ubuntu) or brew install tmux (macOS)', env),
    await toolCheck('git', ['git', '--version'], 'install git: apt-get install git or brew install git', env),
  ];
  const perAgent = await Promise.all(ctx.agents.names().map((agent) => agentChecks(ctx, agent)));
  for (const agentList of perAgent) checks.push(...agentList);
  // An agent that is not installed is reported, not fatal; an installed one must be fully usable.
  const installed = perAgent.filter((list) => list[0]?.ok);
  const ok = checks.slice(0, 2).every((c) => c.ok) && installed.length > 0 && installed.every((list) => list.every((c) => c.ok));
  return { host: ctx.host, ok, checks };
}
