/**
 * Watcher sessions: any command run as a session, its output matched against alert patterns
 * (`cb session new NAME --alert 'FAIL|Error' -- COMMAND…`). See the README's "Watcher sessions".
 */
export { AlertMatcher, DEFAULT_ALERT_RULES } from './matcher.js';
export type { AlertRules, WatchCheckpoint } from './matcher.js';
export { planWatcherLaunch, WATCHER_AGENT, WATCHER_SHELL } from './plan.js';
export { readCheckpoint, startWatcherTracker, startWatcherTrackerWith, WATCHER_CHECKPOINT_FILE } from './tracker.js';
export { stripTerminal, terminalSegments } from './terminal-text.js';

import type { StartTracker } from '../contract.js';
import { startWatcherTracker } from './tracker.js';

/** A StartTracker that hands watcher sessions to the watcher tracker and every other session to `agents`. */
export function withWatchers(agents: StartTracker, watchers: StartTracker = startWatcherTracker): StartTracker {
  return (options) => (options.kind === 'watcher' ? watchers(options) : agents(options));
}
