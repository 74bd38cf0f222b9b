/**
 * Agent signals for `cb` sessions: how an agent's interactive UI is launched with Flotilla's hooks
 * wired in (`planLaunch`), and how its state is tracked (`startStateTracker`). See
 * docs/session-signals.md for which signals fire and how fast.
 */
import { withWatchers } from '../watcher/index.js';
import { startStateTracker } from './tracker.js';

export { CLAUDE_HOOK_EVENTS, CLAUDE_SETTINGS_FILE, CODEX_HOOK_EVENTS, createLaunchPlanner, planLaunch, recorderScriptPath } from './launch.js';
export type { LaunchPlannerOptions } from './launch.js';
export { HOOK_LOG_FILE, startStateTracker } from './tracker.js';

/** The daemon's tracker for any session: watcher sessions (a command with alert patterns) go to the watcher tracker. */
export const startSessionTracker = withWatchers(startStateTracker);
