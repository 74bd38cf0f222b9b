import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/**
 * The page's routes are plain paths (`/jobs/01J…`): the daemon answers every non-API path with
 * index.html. A tiny history router: the page has a dozen routes and needs nothing more.
 */
const listeners = new Set<() => void>();
function notify(): void {
  for (const listener of listeners) listener();
}
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export interface Location {
  path: string;
  query: URLSearchParams;
}

let cached: { href: string; location: Location } | null = null;
function current(): Location {
  const href = window.location.pathname + window.location.search;
  if (cached?.href !== href) cached = { href, location: { path: window.location.pathname, query: new URLSearchParams(window.location.search) } };
  return cached.location;
}

export function useLocation(): Location {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    current,
  );
}

/** `replace`: no new history entry; `keepScroll`: stay where the page is (a filter typed into a list). */
export function navigate(to: string, options: { replace?: boolean; keepScroll?: boolean } = {}): void {
  if (window.location.pathname + window.location.search === to && options.replace) return;
  if (options.replace) window.history.replaceState(window.history.state, '', to);
  else window.history.pushState(null, '', to);
  if (!options.keepScroll) window.scrollTo(0, 0);
  notify();
}

/** Matches `pattern` (`/jobs/:id`) against `path`; returns the decoded parameters or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    const value = got[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return null;
  }
  return params;
}

/** A link that navigates in the page (plain clicks) and behaves as a link otherwise (new tab, copy). */
export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  function onClick(event: MouseEvent<HTMLAnchorElement>): void {
    rest.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  }
  return (
    <a href={to} {...rest} onClick={onClick}>
      {children}
    </a>
  );
}
