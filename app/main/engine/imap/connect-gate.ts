/**
 * At most N connection attempts (connect, TLS, login, SELECT) in flight per server and user
 * at once. After a server restart or a resume, every watcher of an account reconnects
 * together (31 of 50 IDLE watchers of one user logged in at once before the gate); the gate
 * turns that herd into a short queue the server can take.
 *
 * Per user, not per server: a herd of one user is what servers limit and refuse (Dovecot's
 * mail_max_userip_connections counts per user and IP, Gmail's 15 simultaneous connections
 * per account), and a failing account's watchers retry as one user. Distinct accounts on one
 * server are distinct users that the server serves side by side as it would the same users
 * on separate machines; a gate per server made 20 accounts on one Dovecot log in four at a
 * time, 0.4 s of a restart's 0.9–1.2 s (bench/RESULTS.md, issue 23). How many connections
 * an account holds is the connection budget's business, and a server that is down is knocked
 * on once for all its accounts (watch/server-return.ts), so neither needs a gate across users.
 */

/** Hands out slots; `acquire` resolves with the function that gives the slot back. */
export class ConnectGate {
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Waits for a free slot. Call the returned function exactly once when done. */
  async acquire(): Promise<() => void> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // The slot passes straight to the next waiter; inFlight stays the same.
      if (next) next();
      else this.inFlight--;
    };
  }
}

/** Gates by server and user, created on first use. */
export class ConnectGates {
  private readonly gates = new Map<string, ConnectGate>();

  constructor(private readonly perUser: number) {}

  /** The gate of `user` at `host:port` (the host's case does not matter, the user's may). */
  for(host: string, port: number, user: string): ConnectGate {
    const key = JSON.stringify([host.toLowerCase(), port, user]);
    let gate = this.gates.get(key);
    if (!gate) {
      gate = new ConnectGate(this.perUser);
      this.gates.set(key, gate);
    }
    return gate;
  }
}
