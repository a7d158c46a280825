/**
 * How many IMAP connections one account may hold at once. Unlike the per-user
 * `ConnectGate` (held only while logging in), a budget slot is held for a connection's whole
 * life, so watchers beyond the limit wait here instead of being refused by the server.
 */
import { resolvePort, type AccountSettings } from '../../../common/settings-schema.js';
import { TidingsError } from '../base/index.js';
import { presets } from '../setup/index.js';

/** Connections an account may hold when neither its settings nor a preset say. */
export const DEFAULT_MAX_CONNECTIONS = 10;

/** An account's connection limit and where it comes from (for the waiting watcher's detail). */
export interface ConnectionLimit {
  limit: number;
  /** `maxConnections`, a preset's name, or `default`. */
  source: string;
}

/** The account's `maxConnections`, else its server's preset limit, else the default. */
export function connectionLimitFor(account: AccountSettings): ConnectionLimit {
  if (account.maxConnections !== undefined) {
    return { limit: account.maxConnections, source: 'maxConnections' };
  }
  const host = account.host.trim().toLowerCase().replace(/\.$/, '');
  // Host and port: Proton Mail Bridge's preset is 127.0.0.1:1143, and any local server on
  // another port is not the Bridge.
  const preset = presets.find((p) => p.host === host && p.port === resolvePort(account));
  if (preset) return { limit: preset.maxConnections, source: `${preset.name}'s limit` };
  return { limit: DEFAULT_MAX_CONNECTIONS, source: 'default' };
}

/** One account's slots; `acquire` resolves with the function that gives the slot back. */
export class ConnectionBudget {
  private held = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private current: ConnectionLimit) {}

  /** The limit in force and its source. */
  get limit(): ConnectionLimit {
    return this.current;
  }

  /** Slots held now. */
  get inUse(): number {
    return this.held;
  }

  /** True when `acquire` would wait. */
  get full(): boolean {
    return this.held >= this.current.limit;
  }

  /**
   * Waits for a free slot (first come, first served); an abort leaves the queue and rejects.
   * Call the returned function exactly once when the connection is closed.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new TidingsError('network', 'stopped');
    if (this.full || this.queue.length > 0) await this.wait(signal);
    else this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      this.grant();
    };
  }

  /** Changes the limit; a larger one lets waiters in at once, a smaller one frees no slot. */
  resize(limit: ConnectionLimit): void {
    this.current = limit;
    this.grant();
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(take);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new TidingsError('network', 'stopped'));
      };
      const take = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.queue.push(take);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // The caller of `grant` counts the slot for the waiter it wakes.
  private grant(): void {
    while (!this.full && this.queue.length > 0) {
      this.held++;
      this.queue.shift()?.();
    }
  }
}
