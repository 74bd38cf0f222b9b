/**
 * In-process wake-ups for everything that waits on new outbox rows (SSE streams, long-polls).
 * It carries no data: listeners read the outbox, so ordering and completeness come from the store.
 */
export interface Bus {
  notify(): void;
  subscribe(listener: () => void): () => void;
}

export function createBus(): Bus {
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
