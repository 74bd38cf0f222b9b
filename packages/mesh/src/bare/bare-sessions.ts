/**
 * Interactive sessions on a bare host: an agent's own UI (or a watcher's command) in a tmux session
 * on the bare server, its screen read with capture-pane and text typed with `send-keys -l` then
 * Enter. No agent signals are read there, so a live session's state stays `unknown`; a receipt is
 * `screen`-confirmed when the typed text showed on the pane before Enter.
 */
import { ulid } from 'ulidx';
import { createTmux, type Executor, type Tmux } from '@flotilla/kit/tmux';
import {
  CreateSessionRequestSchema,
  MAX_PEEK_LINES,
  ProtocolError,
  type CreateSessionRequest,
  type Peek,
  type SendReceipt,
  type SendRequest,
  type Session,
} from '@flotilla/protocol';
import type { HostLink } from '../link/host-link.js';
import { agentSessionArgv } from './bare-agents.js';
import type { BareHost } from './bare-host.js';
import { installFix, newSessionRecord } from './bare-records.js';
import * as scripts from './bare-scripts.js';

/** Between typing and Enter, so the pane shows the text (and a TUI does not take Enter as part of a paste). */
const ENTER_DELAY_MS = 300;
/** How much of the end of the typed text must show on the screen to confirm it. */
const CONFIRM_CHARS = 24;

/** kit's tmux control, run on the host over the link. */
export function bareTmux(link: HostLink): Tmux {
  const exec: Executor = async (argv, options = {}) => {
    const started = performance.now();
    const result = await link.exec(scripts.bareTmuxCommand(argv), { stdin: options.input, timeoutMs: options.timeoutMs ?? 30_000 });
    return {
      exitCode: result.code,
      signal: result.signal as NodeJS.Signals | null,
      stdout: result.stdout,
      stderr: result.stderr,
      durationMs: performance.now() - started,
      timedOut: false,
    };
  };
  return createTmux({ socketName: scripts.BARE_TMUX_SOCKET, exec });
}

export class BareSessions {
  private readonly tmux: Tmux;

  constructor(private readonly host: BareHost) {
    this.tmux = bareTmux(host.link);
  }

  list(all: boolean): Session[] {
    const sessions = [...this.host.sessions.values()].filter((session) => all || session.state !== 'exited');
    return sessions.sort((a, b) => a.name.localeCompare(b.name) || b.createdAt.localeCompare(a.createdAt));
  }

  /** The live session of that name, else the newest ended one. */
  get(name: string): Session {
    const named = this.list(true).filter((session) => session.name === name);
    const session = named.find((candidate) => candidate.state !== 'exited') ?? named[0];
    if (!session) throw new ProtocolError('SESSION_NOT_FOUND', `no session ${name} on bare host ${this.host.name}`);
    return session;
  }

  async create(body: unknown): Promise<Session> {
    const parsed = CreateSessionRequestSchema.safeParse(body);
    if (!parsed.success) throw new ProtocolError('VALIDATION_FAILED', parsed.error.issues.map((issue) => issue.message).join('; '));
    const request: CreateSessionRequest = parsed.data;
    if (request.worktree || (request.alerts?.length ?? 0) > 0) {
      throw new ProtocolError('VALIDATION_FAILED', `${request.worktree ? '--worktree' : 'alerts'}: not available on a bare host (${this.host.name} runs no cb daemon)`, {
        fix: installFix(this.host.name),
      });
    }
    if (this.list(false).some((session) => session.name === request.name)) {
      throw new ProtocolError('SESSION_NAME_TAKEN', `a session named ${request.name} runs on ${this.host.name}`);
    }
    const id = ulid();
    const record = newSessionRecord({ id, host: this.host.name, request, now: this.host.now().toISOString() });
    const argv = request.command ?? agentSessionArgv(record.agent, record.model);
    const answer = (await this.host.run(scripts.createSessionScript({ id, cwd: request.cwd, argv }), `${JSON.stringify(record)}\n`)).stdout.trim();
    if (answer === 'nocwd') throw new ProtocolError('CWD_NOT_FOUND', `${request.cwd} does not exist on ${this.host.name}`);
    if (answer.startsWith('launchfailed')) throw new ProtocolError('INTERNAL', `tmux could not start the session on ${this.host.name}: ${answer.slice(13)}`);
    this.host.sessionRecords.set(id, record);
    this.host.publish([{ type: 'session.created', session: record }]);
    return record;
  }

  async stop(name: string): Promise<Session> {
    const session = this.live(name);
    await this.host.run(scripts.stopSessionScript(session.id));
    await this.host.look();
    return this.get(name);
  }

  async peek(name: string, lines: number | undefined): Promise<Peek> {
    const session = this.get(name);
    if (session.state === 'exited') throw new ProtocolError('SESSION_NOT_RUNNING', `session ${name} has exited`);
    const count = Math.min(MAX_PEEK_LINES, Math.max(1, lines ?? 200));
    const text = await this.tmux.capturePane(session.tmuxSession, { lines: count });
    return { name, lines: text.split('\n').slice(-count), state: session.state, at: this.host.now().toISOString() };
  }

  async send(name: string, request: SendRequest): Promise<SendReceipt> {
    const session = this.live(name);
    const started = performance.now();
    if ('key' in request) {
      await this.tmux.sendKey(session.tmuxSession, request.key);
      return { delivered: true, confirmedBy: null, attempts: 1, ms: performance.now() - started, error: null };
    }
    await this.tmux.sendKeysLiteral(session.tmuxSession, request.text);
    await new Promise((resolve) => setTimeout(resolve, ENTER_DELAY_MS));
    const screen = await this.tmux.capturePane(session.tmuxSession, { lines: 50 });
    await this.tmux.sendKey(session.tmuxSession, 'Enter');
    const shown = screenShows(screen, request.text);
    return { delivered: true, confirmedBy: shown ? 'screen' : null, attempts: 1, ms: performance.now() - started, error: null };
  }

  private live(name: string): Session {
    const session = this.get(name);
    if (session.state === 'exited') throw new ProtocolError('SESSION_NOT_RUNNING', `session ${name} has exited`);
    return session;
  }
}

/** Whether the end of `text` shows on the screen (whitespace ignored: the pane wraps long lines). */
export function screenShows(screen: string, text: string): boolean {
  const wanted = text.replace(/\s+/g, '').slice(-CONFIRM_CHARS);
  return wanted !== '' && screen.replace(/\s+/g, '').includes(wanted);
}
