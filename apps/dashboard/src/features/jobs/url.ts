/**
 * Replaces the address's query without a new history entry and without scrolling (filters typed
 * into the jobs list), then lets the router know (it listens to `popstate`).
 */
export function replaceQuery(path: string, search: string): void {
  if (window.location.pathname + window.location.search === path + search) return;
  window.history.replaceState(window.history.state, '', path + search);
  window.dispatchEvent(new PopStateEvent('popstate'));
}
