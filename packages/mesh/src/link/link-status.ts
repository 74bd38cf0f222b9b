/** The link's current status, its listeners, and waiting for a state. */
import type { LinkState } from '@flotilla/protocol';
import type { LinkStatus } from './host-link.js';

export class StatusCell {
  private current: LinkStatus;
  private readonly listeners = new Set<(status: LinkStatus) => void>();

  constructor(now: () => Date) {
    this.now = now;
    this.current = { state: 'connecting', since: now().toISOString(), error: null, hostKey: null };
  }

  private readonly now: () => Date;

  get(): LinkStatus {
    return { ...this.current };
  }

  /**
   * Moves to `state`. `since` changes only when the state does: a link that stays down while it
   * retries keeps the time it went down, and its error says what the last attempt met.
   */
  set(state: LinkState, update: Pick<LinkStatus, 'error'> & Partial<Pick<LinkStatus, 'hostKey'>>): void {
    const next: LinkStatus = {
      state,
      since: state === this.current.state ? this.current.since : this.now().toISOString(),
      error: update.error,
      hostKey: update.hostKey === undefined ? this.current.hostKey : update.hostKey,
    };
    const changed = next.state !== this.current.state || next.error !== this.current.error || JSON.stringify(next.hostKey) !== JSON.stringify(this.current.hostKey);
    this.current = next;
    if (!changed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(this.get());
      } catch {
        // A listener's failure is its own; the others still hear about the change.
      }
    }
  }

  subscribe(listener: (status: LinkStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first status (now or later) that `done` accepts; rejects after `timeoutMs`. */
  waitFor(done: (status: LinkStatus) => boolean, timeoutMs: number, onTimeout: (status: LinkStatus) => Error): Promise<LinkStatus> {
    if (done(this.current)) return Promise.resolve(this.get());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(onTimeout(this.get()));
      }, timeoutMs);
      const unsubscribe = this.subscribe((status) => {
        if (!done(status)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(status);
      });
    });
  }
}
