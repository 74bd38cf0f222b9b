/**
 * Discovery of agents started outside Flotilla (tmux panes on the user's own servers, Claude Code's
 * own interactive and background sessions), stored as read-only sessions until adopted.
 */
export { startDiscovery, withDiscovery, storedKey, parseClaudeAgents, DISCOVERY_INTERVAL_MS } from './service.js';
export type { Discovery, DiscoveryOptions } from './service.js';
export { createPaneTmux, listPanes } from './pane-tmux.js';
