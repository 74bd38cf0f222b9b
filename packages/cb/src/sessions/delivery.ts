/**
 * Text, keys and answers into a session's pane. Text goes in as one bracketed paste, then Enter,
 * never through tmux's key-name parsing, and counts as delivered only when a signal confirms the
 * agent took it as a prompt. Before the one retry the tracker is asked whether the prompt was
 * already taken (or queued), so a turn is never submitted twice.
 */
import { ProtocolError, type Answer, type SendReceipt, type Session } from '@flotilla/protocol';
import type { StateTracker } from './contract.js';
import type { SessionDeps, SessionTiming } from './deps.js';
import { screenShowsPermissionDialog } from './signals/screen.js';

/** Keys to press: literal text (never parsed as key names) and/or one named key. */
interface KeyPress {
  literal?: string;
  key?: string;
}

/** The keys that answer each agent's permission dialog (docs/session-signals.md). */
const ANSWER_KEYS: Readonly<Record<string, Record<Answer, KeyPress>>> = {
  // Claude: "1. Yes" is preselected, Enter takes it; Escape rejects.
  claude: { yes: { key: 'Enter' }, no: { key: 'Escape' } },
  // Codex: "1. Yes, proceed (y)"; "3. No … (esc)" (which aborts the turn).
  codex: { yes: { literal: 'y' }, no: { key: 'Escape' } },
};
const DEFAULT_ANSWER_KEYS: Record<Answer, KeyPress> = { yes: { literal: 'y' }, no: { key: 'Escape' } };

/** The agent's own way out, tried before its tmux session is killed. */
const EXIT_SEQUENCES: Readonly<Record<string, { literal?: string; keys: string[] }>> = {
  claude: { literal: '/exit', keys: ['Enter'] },
  codex: { literal: '/quit', keys: ['Enter'] },
};
const DEFAULT_EXIT_SEQUENCE: { literal?: string; keys: string[] } = { keys: ['C-c'] };

export interface DeliveryTarget {
  deps: SessionDeps;
  timing: SessionTiming;
  session: Session;
  tracker: StateTracker;
}

/** Tabs as four spaces (as Claude's composer shows them), surrounding blanks trimmed. */
function normalizePrompt(text: string): string {
  return text.replace(/\t/g, '    ').trim();
}

/** Whether the composer still shows the text's last line, i.e. the paste landed and only Enter is missing. */
async function stillInComposer(target: DeliveryTarget, text: string): Promise<boolean> {
  const last = normalizePrompt(text).split('\n').pop()?.trim() ?? '';
  if (!last) return false;
  const screen = await target.deps.tmux.capturePane(target.session.tmuxSession).catch(() => '');
  const bottom = screen.split('\n').slice(-8);
  return bottom.some((line) => line.includes(last));
}

/** How long a watcher's screen is watched for sent text to show (a shell echoes it; many programs do not). */
const WATCHER_ECHO_MS = 1_000;

/**
 * A watcher's command is no agent: there is no prompt-submit signal, so the text is pasted and
 * Enter pressed once (a retry could run a command twice), then the screen is looked at briefly.
 * Delivered either way; `confirmedBy` is `screen` when the text showed, null when it did not.
 */
async function sendToWatcher(target: DeliveryTarget, text: string): Promise<SendReceipt> {
  const { deps, timing, session, tracker } = target;
  const started = Date.now();
  await deps.tmux.pasteText(session.tmuxSession, text, { enter: true, enterDelayMs: timing.enterDelayMs });
  const seen = await tracker.waitForPrompt(text, started, Math.min(WATCHER_ECHO_MS, timing.confirmMs));
  return { delivered: true, confirmedBy: seen ? 'screen' : null, attempts: 1, ms: Date.now() - started, error: null };
}

/** A one-line `/command` to Claude or Codex: the agent's own command, for which no prompt-submit signal fires. */
function isSlashCommand(session: Session, text: string): boolean {
  return (session.agent === 'claude' || session.agent === 'codex') && /^\/[A-Za-z][\w:-]*(?: [^\n]*)?$/.test(text.trim());
}

/** The agent's composer line (Claude `❯ …`, Codex `› …`): the last such line on the screen. */
function composerLine(screen: string): string | null {
  const lines = screen.split('\n').filter((line) => /^\s*[❯›]\s/.test(line));
  return lines.at(-1) ?? null;
}

const COMMAND_POLL_MS = 100;

async function commandLeftComposer(target: DeliveryTarget, text: string, untilMs: number): Promise<boolean> {
  const command = text.trim();
  for (;;) {
    const screen = await target.deps.tmux.capturePane(target.session.tmuxSession).catch(() => null);
    const composer = screen === null ? null : composerLine(screen);
    if (composer !== null && !composer.includes(command)) return true;
    if (Date.now() >= untilMs) return false;
    await new Promise((resolve) => setTimeout(resolve, COMMAND_POLL_MS));
  }
}

/**
 * A slash command is taken when it leaves the composer (confirmed by the screen). It is never pasted
 * twice: if it still sits in the composer, only Enter is pressed again.
 */
async function sendSlashCommand(target: DeliveryTarget, text: string): Promise<SendReceipt> {
  const { deps, timing, session } = target;
  const started = Date.now();
  const done = (attempts: number, ok: boolean): SendReceipt => ({
    delivered: ok,
    confirmedBy: ok ? 'screen' : null,
    attempts,
    ms: Date.now() - started,
    error: ok ? null : `${session.agent} did not take the command ${text.trim()} within ${Math.round((Date.now() - started) / 1000)}s (it is still in the composer)`,
  });
  await deps.tmux.pasteText(session.tmuxSession, text.trim(), { enter: true, enterDelayMs: timing.enterDelayMs });
  if (await commandLeftComposer(target, text, Date.now() + timing.confirmMs)) return done(1, true);
  await deps.tmux.sendKey(session.tmuxSession, 'Enter');
  return done(2, await commandLeftComposer(target, text, Date.now() + timing.confirmMs));
}

/** Pastes `text` as one turn and waits for the receipt; one retry, never after the agent took it. */
export async function sendText(target: DeliveryTarget, text: string): Promise<SendReceipt> {
  if (target.session.kind === 'watcher') return sendToWatcher(target, text);
  if (isSlashCommand(target.session, text)) return sendSlashCommand(target, text);
  const { deps, timing, session, tracker } = target;
  const started = Date.now();
  const receipt = (attempts: number, confirmedBy: SendReceipt['confirmedBy'], error: string | null): SendReceipt => ({
    delivered: confirmedBy !== null,
    confirmedBy,
    attempts,
    ms: Date.now() - started,
    error,
  });
  await deps.tmux.pasteText(session.tmuxSession, text, { enter: true, enterDelayMs: timing.enterDelayMs });
  const first = await tracker.waitForPrompt(text, started, timing.confirmMs);
  if (first) return receipt(1, first.confirmedBy, null);
  if (await tracker.promptSeen(text, started)) return receipt(1, 'transcript', null);
  // The paste landed but Enter was lost: press Enter only; otherwise paste again.
  if (await stillInComposer(target, text)) await deps.tmux.sendKey(session.tmuxSession, 'Enter');
  else await deps.tmux.pasteText(session.tmuxSession, text, { enter: true, enterDelayMs: timing.enterDelayMs });
  const second = await tracker.waitForPrompt(text, started, timing.confirmMs);
  if (second) return receipt(2, second.confirmedBy, null);
  const waited = Math.round((Date.now() - started) / 1000);
  return receipt(2, null, `${session.agent} did not take the text as a prompt within ${waited}s (2 attempts; no prompt-submit signal, transcript entry or screen echo)`);
}

export async function sendKey(target: DeliveryTarget, key: string): Promise<SendReceipt> {
  const started = Date.now();
  await target.deps.tmux.sendKey(target.session.tmuxSession, key);
  return { delivered: true, confirmedBy: null, attempts: 1, ms: Date.now() - started, error: null };
}

export async function answerPermission(target: DeliveryTarget, answer: Answer): Promise<void> {
  const { session } = target;
  if (session.kind === 'watcher') {
    throw new ProtocolError('BAD_REQUEST', `session ${session.name} is a watcher (it runs a command, not an agent): it asks no permission questions`, {
      fix: `type into it with cb send ${session.name} "…", or press a key: cb send ${session.name} --key Enter|C-c`,
    });
  }
  if (session.state !== 'waiting_permission') {
    throw new ProtocolError('SESSION_NOT_RUNNING', `session ${session.name} is not waiting for a permission (it is ${session.state})`, {
      fix: `look at it with: cb peek ${session.name}`,
    });
  }
  await dialogOnScreen(target);
  const press = (ANSWER_KEYS[session.agent] ?? DEFAULT_ANSWER_KEYS)[answer];
  if (press.literal) await target.deps.tmux.sendKeysLiteral(session.tmuxSession, press.literal);
  if (press.key) await target.deps.tmux.sendKey(session.tmuxSession, press.key);
}

/** How long an answer waits for the agent to draw the question it was asked (the hook can be first). */
const DIALOG_WAIT_MS = 5_000;
const DIALOG_POLL_MS = 100;

/**
 * The permission hook can announce a question before the TUI has drawn it (on a loaded machine by
 * a second or more); a key pressed then lands in the composer and the question stays. Wait for the
 * dialog of a known agent to be on screen; after the wait, press anyway (the screen may say it in
 * words this version does not know).
 */
async function dialogOnScreen(target: DeliveryTarget): Promise<void> {
  const { session } = target;
  if (session.agent !== 'claude' && session.agent !== 'codex') return;
  const deadline = Date.now() + DIALOG_WAIT_MS;
  while (Date.now() < deadline) {
    const screen = await target.deps.tmux.capturePane(session.tmuxSession).catch(() => '');
    if (screenShowsPermissionDialog(session.agent, screen)) return;
    await pause(DIALOG_POLL_MS);
  }
}

/** States in which a typed `/exit` would be queued behind a turn or land in a dialog: Escape first. */
const BUSY_STATES: ReadonlySet<Session['state']> = new Set(['working', 'compacting', 'rate_limited', 'waiting_permission']);
/** After a key, the TUI redraws (Escape puts an interrupted prompt back into the composer; a slash command opens its menu). */
const REDRAW_MS = 400;
/** C-u presses that empty a composer holding a few lines (a restored prompt, text a user left there). */
const CLEAR_COMPOSER_PRESSES = 3;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The agent's own way out: for Claude and Codex, Escape if a turn runs, an emptied composer, then
 * the exit command; for a custom agent C-c. Errors are ignored (the session is killed after the
 * grace period anyway).
 */
export async function pressExitKeys(deps: SessionDeps, session: Session): Promise<void> {
  const sequence = EXIT_SEQUENCES[session.agent] ?? DEFAULT_EXIT_SEQUENCE;
  const target = session.tmuxSession;
  try {
    if (sequence.literal) {
      if (BUSY_STATES.has(session.state)) {
        await deps.tmux.sendKey(target, 'Escape');
        await pause(REDRAW_MS);
      }
      for (let i = 0; i < CLEAR_COMPOSER_PRESSES; i++) await deps.tmux.sendKey(target, 'C-u');
      await deps.tmux.sendKeysLiteral(target, sequence.literal);
      await pause(REDRAW_MS);
    }
    for (const key of sequence.keys) await deps.tmux.sendKey(target, key);
  } catch {
    // already gone
  }
}
