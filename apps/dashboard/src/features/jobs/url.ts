import { navigate } from '../../app/router';

/** Replaces the address's query without a new history entry and without scrolling (filters typed into the jobs list). */
export function replaceQuery(path: string, search: string): void {
  navigate(path + search, { replace: true, keepScroll: true });
}
