/**
 * The state tracker of one session: hook edges from `<dir>/hooks.jsonl`, reconciled against
 * Claude's live session file and the pane's process, with the screen as the fallback
 * (docs/session-signals.md §5). Also answers first-run dialogs and confirms prompt receipts.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { tailFile, type FileFollower } from '@flotilla/kit/fs';
import type { SessionStateSource } from '@flotilla/protocol';
import type { PromptReceipt, StartTracker, StateChange, StateTracker, TrackerOptions } from '../contract.js';
import { findClaudePid, readClaudeSessionFile, reconcileWithSessionFile } from './claude-session-file.js';
import { hookSignal, parseHookLine, type HookSignal } from './hook-events.js';
import { codexQueuedOnScreen, createTranscriptPrompts, normalizePrompt, screenShowsPrompt, type PromptSighting } from './receipts.js';
import { claudeRetryUntil, firstRunDialog, paneDeadShown, screenShowsPermissionDialog, screenShowsWorking } from './screen.js';
import { createCustomScreenJudge, knownAgentScreenVerdict, screenNeeded, screenShowsAgentUp, type ScreenVerdict } from './screen-watch.js';

const debug = createDebug('cb:sessions:signals');

export const HOOK_LOG_FILE = 'hooks.jsonl';
/** Hooks are edges; the level sources (session file, pane) are read this often to catch missed ones. */
const RECONCILE_MS = 2000;
/** Claude's session file is one small file read: polled often, it is the fastest level source. */
const SESSION_FILE_POLL_MS = 250;
/** Screen poll where the screen is the only source (rate-limit retries, Codex /clear, custom agents). */
const SCREEN_POLL_MS = 500;
/** A dialog redraws for a moment after its keys; don't answer the same one again within this. */
const DIALOG_SETTLE_MS = 1500;
/**
 * First-run dialogs are looked for this long after start even when the UI looks up: Codex shows its
 * composer first and its trust dialog ~3 s later.
 */
const FIRST_RUN_WINDOW_MS = 30_000;
/** How often waitForPrompt looks again. */
const RECEIPT_POLL_MS = 100;
/** Ended turns remembered to drop late async hooks of theirs (a turn's hooks land within seconds). */
const ENDED_TURNS_KEPT = 64;
/** The in-turn states a late hook of an ended turn would wrongly bring back. */
const IN_TURN_STATES = new Set<string>(['working', 'rate_limited', 'waiting_permission', 'compacting']);

/** Hooks, session file and screen of one session, folded into one current state. */
class SessionTracker {
  private current: StateChange;
  private currentAtMs: number;
  private agentUp = false;
  private claudePid: number | null = null;
  /** The tool call PreToolUse announced last: the session file's `waiting` names no tool. */
  private pendingTool: string | null = null;
  /** Codex: the turn the last UserPromptSubmit started, and the turns known to have ended. */
  private turnId: string | null = null;
  private readonly endedTurns = new Set<string>();
  private retrySeenAt = 0;
  private lastPidSearch = 0;
  private readonly startedAt = Date.now();
  private readonly hookPrompts: PromptSighting[] = [];
  private readonly transcripts = createTranscriptPrompts();
  private readonly customJudge = createCustomScreenJudge();
  private readonly timers: NodeJS.Timeout[] = [];
  private follower: FileFollower | undefined;
  private lastDialog = { name: '', at: 0 };
  private stopped = false;
  private busy = { screen: false, reconcile: false, sessionFile: false };
  private panePid: number | null = null;
  /** Hook lines already in the file at start are history: folded in silently, reported once. */
  private backlogEnd: number;
  private inBacklog: boolean;

  constructor(private readonly options: TrackerOptions) {
    const initial = options.initial;
    this.current = initial ?? { state: 'unknown', source: 'cb', at: new Date().toISOString(), waitingFor: null };
    this.currentAtMs = initial ? Date.parse(initial.at) : 0;
    this.backlogEnd = fileSize(join(options.dir, HOOK_LOG_FILE));
    this.inBacklog = this.backlogEnd > 0;
  }

  start(): void {
    this.follower = tailFile(join(this.options.dir, HOOK_LOG_FILE), {
      onLines: (lines, endOffset) => this.onHookLines(lines, endOffset),
      onError: (error) => debug('%s: hooks.jsonl: %O', this.options.sessionId, error),
    });
    this.timers.push(setInterval(() => void this.reconcile(), RECONCILE_MS));
    this.timers.push(setInterval(() => void this.watchScreen(), SCREEN_POLL_MS));
    if (this.options.agent === 'claude') this.timers.push(setInterval(() => void this.reconcileSessionFile(), SESSION_FILE_POLL_MS));
    void this.reconcile();
    void this.watchScreen();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    void this.follower?.close();
  }

  snapshot(): StateChange {
    return { ...this.current };
  }

  private set(change: Omit<StateChange, 'at'> & { atMs: number }, quiet = false): void {
    const { atMs, ...rest } = change;
    const newError = rest.error != null && rest.error !== this.current.error;
    const same = rest.state === this.current.state && rest.waitingFor === this.current.waitingFor && !newError;
    const newAgentSession = rest.agentSessionId != null && rest.agentSessionId !== this.current.agentSessionId;
    if (same && !newAgentSession) return;
    this.current = { ...rest, at: new Date(atMs).toISOString(), agentSessionId: rest.agentSessionId ?? this.current.agentSessionId };
    this.currentAtMs = atMs;
    if (quiet || this.stopped) return;
    debug('%s: %s (%s) %s', this.options.sessionId, this.current.state, this.current.source, this.current.waitingFor ?? '');
    this.options.onChange(this.snapshot());
  }

  private onHookLines(lines: string[], endOffset: number): void {
    const quiet = this.inBacklog;
    for (const line of lines) {
      const record = parseHookLine(line);
      if (record) this.applyHook(hookSignal(this.options.agent, record, this.current.state), quiet);
    }
    if (quiet && endOffset >= this.backlogEnd) {
      this.inBacklog = false;
      const initial = this.options.initial;
      const changed = !initial || initial.state !== this.current.state || initial.waitingFor !== this.current.waitingFor;
      if (changed && !this.stopped) this.options.onChange(this.snapshot());
    }
  }

  private applyHook(signal: HookSignal, quiet: boolean): void {
    this.agentUp = true;
    if (signal.prompt !== null) this.hookPrompts.push({ text: normalizePrompt(signal.prompt), at: signal.at });
    if (signal.transcriptPath) this.transcripts.add(signal.transcriptPath);
    if (this.lateForEndedTurn(signal)) return;
    if (this.otherToolWhileAsking(signal)) return;
    if (this.announcesOpenQuestion(signal)) {
      this.pendingTool = signal.toolRequest;
      return;
    }
    if (signal.event === 'PreToolUse') this.pendingTool = signal.toolRequest;
    else if (signal.state !== null && signal.state !== 'waiting_permission') this.pendingTool = null;
    if (signal.state === null || this.staleHook(signal)) {
      const id = signal.agentSessionId;
      if (id !== null && id !== this.current.agentSessionId) this.set({ ...this.current, agentSessionId: id, atMs: this.currentAtMs }, quiet);
      return;
    }
    const change = { state: signal.state, source: 'hook' as const, waitingFor: signal.waitingFor, atMs: signal.at };
    this.set({ ...change, agentSessionId: signal.agentSessionId, ...(signal.error ? { error: signal.error } : {}) }, quiet);
  }

  /**
   * Codex's `async` hooks (launch.ts: PostModelRequest, PreToolUse) run beside the agent, so one can
   * land after its turn's Stop: an in-turn state from a turn that has ended is dropped. Also keeps
   * the turn ids: UserPromptSubmit starts one, Stop/Interrupt end it.
   */
  private lateForEndedTurn(signal: HookSignal): boolean {
    const id = signal.turnId;
    if (id === null) return false;
    if (signal.event === 'UserPromptSubmit') this.turnId = id;
    if (signal.event === 'Stop' || signal.event === 'Interrupt') this.endTurn(id);
    return this.endedTurns.has(id) && signal.state !== null && IN_TURN_STATES.has(signal.state);
  }

  private endTurn(id: string | null): void {
    if (id === null) return;
    this.endedTurns.add(id);
    if (this.endedTurns.size > ENDED_TURNS_KEPT) this.endedTurns.delete(this.endedTurns.values().next().value as string);
  }

  /**
   * Async hooks can land after a newer signal from the session file or the screen (or after a later
   * hook): an older hook does not undo it, though it may still add detail to the same state.
   */
  private staleHook(signal: HookSignal): boolean {
    return signal.state !== this.current.state && signal.at < this.currentAtMs;
  }

  /**
   * PreToolUse always comes before the permission question about that tool, but as an async hook it
   * can land after the screen or the session file showed the question: it must not flip the open
   * question back to working (the answer is told by PostToolUse, the session file or the screen).
   */
  private announcesOpenQuestion(signal: HookSignal): boolean {
    if (signal.event !== 'PreToolUse' || this.current.state !== 'waiting_permission') return false;
    return this.current.waitingFor === 'permission prompt' || signal.toolRequest === this.current.waitingFor;
  }

  /**
   * Parallel tool calls: another tool of the same turn starting or finishing while a permission
   * question is open leaves the question open.
   */
  private otherToolWhileAsking(signal: HookSignal): boolean {
    if (this.current.state !== 'waiting_permission' || signal.toolRequest === null) return false;
    return this.current.waitingFor !== 'permission prompt' && signal.toolRequest !== this.current.waitingFor;
  }

  private setFrom(source: SessionStateSource, verdict: ScreenVerdict, atMs = Date.now()): void {
    if (verdict.state === this.current.state && verdict.waitingFor === this.current.waitingFor) return;
    this.set({ state: verdict.state, waitingFor: verdict.waitingFor, source, atMs });
  }

  /** The level: is the pane's process still there. */
  private async reconcile(): Promise<void> {
    if (this.stopped || this.busy.reconcile || this.inBacklog) return;
    this.busy.reconcile = true;
    try {
      const pane = await this.paneStatus();
      this.panePid = pane.pid;
      if (pane.dead && this.current.state !== 'exited') this.setFrom('process', { state: 'exited', waitingFor: null });
    } catch (error) {
      debug('%s: reconcile: %O', this.options.sessionId, error);
    } finally {
      this.busy.reconcile = false;
    }
  }

  /** The level Claude keeps itself: its session file (a file read, so it is polled often). */
  private async reconcileSessionFile(): Promise<void> {
    if (this.stopped || this.busy.sessionFile || this.inBacklog || this.panePid === null) return;
    if (this.current.state === 'exited') return;
    this.busy.sessionFile = true;
    try {
      await this.reconcileClaude(this.panePid);
    } catch (error) {
      debug('%s: session file: %O', this.options.sessionId, error);
    } finally {
      this.busy.sessionFile = false;
    }
  }

  private async paneStatus(): Promise<{ dead: boolean; pid: number | null }> {
    const sessions = await this.options.tmux.listSessions();
    const pane = sessions.find((s) => s.name === this.options.tmuxSession);
    return pane ? { dead: pane.paneDead, pid: pane.panePid } : { dead: true, pid: null };
  }

  private async reconcileClaude(panePid: number): Promise<void> {
    const home = this.options.home ?? process.env.HOME ?? '';
    // Until Claude has written its file, look for it under the pane at the pane poll's pace.
    if (this.claudePid === null && Date.now() - this.lastPidSearch < RECONCILE_MS) return;
    this.lastPidSearch = Date.now();
    this.claudePid ??= await findClaudePid(home, panePid);
    if (this.claudePid === null) return;
    const level = await readClaudeSessionFile(home, this.claudePid);
    if (!level) return;
    this.agentUp = true;
    const verdict = reconcileWithSessionFile(level, { state: this.current.state, atMs: this.currentAtMs });
    if (!verdict || this.stopped) return;
    if (verdict.state === 'waiting_input' && (await this.turnStillRunningOnScreen())) return;
    if (verdict.state === 'working' && this.current.state === 'waiting_permission' && (await this.questionStillOnScreen())) return;
    if (verdict.state === 'waiting_permission' && this.pendingTool) verdict.waitingFor = this.pendingTool;
    this.set({ ...verdict, source: 'session-file', atMs: Math.max(level.at, this.currentAtMs), agentSessionId: level.sessionId });
  }

  /**
   * Claude's session file is written late and stamped early (its `statusUpdatedAt` up to ~1.5 s
   * before the write on a loaded machine, its first `idle` even before `startedAt`), so an `idle`
   * in it can look newer than the hook that started a turn. Before that `idle` ends a turn, the
   * screen must agree: `esc to interrupt` still shown means the turn runs (the next poll looks again).
   */
  private async turnStillRunningOnScreen(): Promise<boolean> {
    const screen = await this.options.tmux.capturePane(this.options.tmuxSession).catch(() => '');
    return screenShowsWorking(screen);
  }

  /** Likewise a `busy` written before the permission question must not end it while the dialog is up. */
  private async questionStillOnScreen(): Promise<boolean> {
    const screen = await this.options.tmux.capturePane(this.options.tmuxSession).catch(() => '');
    return screenShowsPermissionDialog(this.options.agent, screen);
  }

  private async watchScreen(): Promise<void> {
    const { agent } = this.options;
    const dialogsPossible = !this.agentUp || Date.now() - this.startedAt < FIRST_RUN_WINDOW_MS;
    if (this.stopped || this.busy.screen || this.inBacklog) return;
    if (!dialogsPossible && !screenNeeded(agent, this.current.state, this.agentUp)) return;
    this.busy.screen = true;
    try {
      const screen = await this.options.tmux.capturePane(this.options.tmuxSession);
      if (this.stopped) return;
      if (paneDeadShown(screen)) {
        this.setFrom('process', { state: 'exited', waitingFor: null });
        return;
      }
      if (dialogsPossible && (await this.answerDialog(screen))) return;
      if (!this.agentUp && screenShowsAgentUp(agent, screen)) this.agentUp = true;
      if (!this.agentUp) return;
      const now = Date.now();
      if (agent === 'claude' && claudeRetryUntil(screen, now) !== null) this.retrySeenAt = now;
      const verdict =
        agent === 'claude' || agent === 'codex'
          ? knownAgentScreenVerdict({ agent, state: this.current.state, agentUp: this.agentUp, now, retrySeenAt: this.retrySeenAt, pendingTool: this.pendingTool, stateAtMs: this.currentAtMs }, screen)
          : this.customJudge(screen, this.current.state, now);
      if (!verdict) return;
      // A Codex turn that gave up retrying fires no Stop: the screen ends it, and a late failed
      // PostModelRequest of that turn must not bring rate_limited back.
      if (this.current.state === 'rate_limited' && verdict.state === 'waiting_input') this.endTurn(this.turnId);
      this.setFrom('screen', verdict, now);
    } catch (error) {
      debug('%s: screen: %O', this.options.sessionId, error);
    } finally {
      this.busy.screen = false;
    }
  }

  /** Answers a first-run dialog with keys; true when one was on screen. */
  private async answerDialog(screen: string): Promise<boolean> {
    const dialog = firstRunDialog(this.options.agent, screen);
    if (!dialog) return false;
    const now = Date.now();
    if (this.lastDialog.name === dialog.name && now - this.lastDialog.at < DIALOG_SETTLE_MS) return true;
    this.lastDialog = { name: dialog.name, at: now };
    debug('%s: answering first-run dialog %s with %s', this.options.sessionId, dialog.name, dialog.keys.join(' '));
    for (const key of dialog.keys) await this.options.tmux.sendKey(this.options.tmuxSession, key);
    return true;
  }

  /** The first receipt of `text` at or after `sinceMs`: the hook, then the transcript, then the screen. */
  async findReceipt(text: string, sinceMs: number): Promise<PromptReceipt | null> {
    const wanted = normalizePrompt(text);
    const match = (p: PromptSighting) => p.text === wanted && p.at >= sinceMs;
    const hooked = this.hookPrompts.find(match);
    if (hooked) return { confirmedBy: 'hook', at: new Date(hooked.at).toISOString() };
    await this.transcripts.scan();
    const written = this.transcripts.prompts().find(match);
    if (written) return { confirmedBy: 'transcript', at: new Date(written.at).toISOString() };
    const { agent } = this.options;
    if (agent === 'claude' || (agent !== 'codex' && this.hookPrompts.length > 0)) return null;
    const screen = await this.options.tmux.capturePane(this.options.tmuxSession).catch(() => '');
    const onScreen = agent === 'codex' ? codexQueuedOnScreen(screen, text) : screenShowsPrompt(screen, text);
    return onScreen ? { confirmedBy: 'screen', at: new Date().toISOString() } : null;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts tracking one session's state; `onChange` gets every change (deduplicated) with its source
 * and the time the signal happened.
 *
 * @example
 * const tracker = startStateTracker({ sessionId, agent: 'claude', cwd, dir, tmux, tmuxSession,
 *   initial: null, onChange: (change) => store.recordState(sessionId, change) });
 * await tmux.pasteText(tmuxSession, text, { enter: true, enterDelayMs: 150 });
 * const receipt = await tracker.waitForPrompt(text, sentAt, 5000); // { confirmedBy: 'hook', at } or null
 * tracker.stop();
 */
export const startStateTracker: StartTracker = (options) => {
  const tracker = new SessionTracker(options);
  tracker.start();
  const api: StateTracker = {
    current: () => tracker.snapshot(),
    async waitForPrompt(text, sinceMs, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const receipt = await tracker.findReceipt(text, sinceMs);
        if (receipt || Date.now() >= deadline) return receipt;
        await sleep(Math.min(RECEIPT_POLL_MS, Math.max(0, deadline - Date.now())));
      }
    },
    promptSeen: async (text, sinceMs) => (await tracker.findReceipt(text, sinceMs)) !== null,
    stop: () => tracker.stop(),
  };
  return api;
};

