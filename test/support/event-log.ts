/** An append-only list of events that tests can wait on. */

/** Events in arrival order, with waits that fail with a readable message on timeout. */
export class EventLog<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Items matching `predicate`, so far. */
  filter(predicate: (item: T) => boolean): T[] {
    return this.items.filter(predicate);
  }

  /** Resolves once `count` items match (counting from index `from`); rejects after `timeoutMs`. */
  async waitForCount(
    predicate: (item: T) => boolean,
    count: number,
    what: string,
    timeoutMs = 15_000,
    from = 0,
  ): Promise<T[]> {
    const matches = () => this.items.slice(from).filter(predicate);
    if (matches().length >= count) return matches();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (matches().length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(matches());
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.items.slice(-20).map((item) => JSON.stringify(item));
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${count} × ${what} (had ${matches().length}); last events:\n${seen.join('\n')}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Resolves with the first item (from index `from`) matching `predicate`. */
  async waitFor(
    predicate: (item: T) => boolean,
    what: string,
    timeoutMs = 15_000,
    from = 0,
  ): Promise<T> {
    const [first] = await this.waitForCount(predicate, 1, what, timeoutMs, from);
    return first as T;
  }
}
