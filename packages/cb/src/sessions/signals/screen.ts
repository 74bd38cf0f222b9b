/**
 * What the screen (tmux capture-pane text) says: first-run dialogs to answer, and the few states
 * only the screen can tell (agent-clis.md §5/§7, docs/session-signals.md). Pure functions.
 */

/** A first-run dialog the tracker answers so a session never hangs there. */
export interface FirstRunDialog {
  name: string;
  /** tmux key names pressed in order (never user text). */
  keys: string[];
}

interface DialogRule extends FirstRunDialog {
  marker: RegExp;
}

const DIALOGS: Record<string, readonly DialogRule[]> = {
  claude: [
    // `❯ 1. Yes, I trust this folder  2. No, exit`: the default is Yes.
    { name: 'claude-trust-folder', marker: /Yes, I trust this folder/, keys: ['Enter'] },
    // `1. Yes ❯ 2. No (recommended)`: the default is No; the key is the one Flotilla was given.
    { name: 'claude-custom-api-key', marker: /Do you want to use this API key\?/, keys: ['Up', 'Enter'] },
    // `❯ 1. No, exit  2. Yes, I accept` (only when the user's settings ask for bypass mode).
    { name: 'claude-bypass-warning', marker: /Bypass Permissions mode[\s\S]*Yes, I accept/, keys: ['Down', 'Enter'] },
  ],
  codex: [
    // `Trust this folder? … › 1. Trust and continue`.
    { name: 'codex-trust-folder', marker: /1\. (Yes, )?[Tt]rust and continue|Do you trust the contents of this directory/, keys: ['Enter'] },
    // Without --dangerously-bypass-hook-trust (e.g. an older binary): `⚠ N hooks need review`.
    { name: 'codex-hooks-review', marker: /hooks? need review/, keys: ['Escape'] },
  ],
};

/** The first-run dialog on `screen` for `agent`, if any. */
export function firstRunDialog(agent: string, screen: string): FirstRunDialog | null {
  const rule = DIALOGS[agent]?.find((r) => r.marker.test(screen));
  return rule ? { name: rule.name, keys: rule.keys } : null;
}

const CLAUDE_RETRYING = /API error · Retrying in (\d+)s · attempt (\d+)\/(\d+)/;
const CLAUDE_RETRYING_NO_WAIT = /API error · Retrying/;
const WORKING = /esc to interrupt/;

/** Claude's `API error · Retrying in 5s · attempt 2/10`: until when it waits (epoch ms), else null. */
export function claudeRetryUntil(screen: string, now: number): number | null {
  const match = CLAUDE_RETRYING.exec(screen);
  if (match) return now + Number(match[1]) * 1000;
  return CLAUDE_RETRYING_NO_WAIT.test(screen) ? now : null;
}

/** The footer's `esc to interrupt` (both agents): a turn is running. */
export function screenShowsWorking(screen: string): boolean {
  return WORKING.test(screen);
}

const PERMISSION_DIALOG: Record<string, RegExp> = {
  claude: /Do you want to (proceed|create|make this edit|overwrite)/,
  codex: /Would you like to (run the following command|make the following edits|apply)/,
};

/** A permission question of Claude (`Do you want to proceed?`) or Codex (`Would you like to run …?`). */
export function screenShowsPermissionDialog(agent: string, screen: string): boolean {
  return PERMISSION_DIALOG[agent]?.test(screen) ?? false;
}

/** Codex's composer (`› Ask Codex…` or typed text) is on screen: the TUI is up. */
export function codexComposerShown(screen: string): boolean {
  return /^› /m.test(screen);
}

/**
 * A Codex screen with the banner and no conversation: right after start or `/clear` (no hook fires
 * for `/clear`, so this is the only signal).
 */
export function codexFreshScreen(screen: string): boolean {
  return /OpenAI Codex \(v/.test(screen) && codexComposerShown(screen) && !/^[•■] /m.test(screen) && !WORKING.test(screen);
}

/** Claude's input line `❯ ` is on screen: the TUI is up. */
export function claudePromptShown(screen: string): boolean {
  return /^\s*❯(\s|$)/m.test(screen) && /────/.test(screen);
}

/** tmux's own line under a dead pane kept by `remain-on-exit`: the agent's process is gone. */
export function paneDeadShown(screen: string): boolean {
  return /^Pane is dead/m.test(screen);
}
