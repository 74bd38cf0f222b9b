/** A counting semaphore: at most `limit` holders, the rest wait in order. The limit may be lowered. */
export class Semaphore {
  private held = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private limit: number) {}

  /** Holders right now. */
  get inUse(): number {
    return this.held;
  }

  get currentLimit(): number {
    return this.limit;
  }

  /** Lowers (or restores) the limit; holders above a lowered limit finish, and nobody new starts until below it. */
  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.wake();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.held -= 1;
      this.wake();
    }
  }

  private acquire(): Promise<void> {
    if (this.held < this.limit && this.waiters.length === 0) {
      this.held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    while (this.held < this.limit) {
      const next = this.waiters.shift();
      if (next === undefined) return;
      this.held += 1;
      next();
    }
  }
}
