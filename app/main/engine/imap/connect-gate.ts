/**
 * At most N connection attempts (connect, TLS, login, SELECT) in flight per server at once.
 * After a server restart or a resume, every watcher of an account reconnects together;
 * the gate turns that herd into a short queue the server can take.
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

/** Gates by server, created on first use. */
export class ConnectGates {
  private readonly gates = new Map<string, ConnectGate>();

  constructor(private readonly perServer: number) {}

  /** The gate of `host:port`. */
  for(host: string, port: number): ConnectGate {
    const key = `${host.toLowerCase()}:${port}`;
    let gate = this.gates.get(key);
    if (!gate) {
      gate = new ConnectGate(this.perServer);
      this.gates.set(key, gate);
    }
    return gate;
  }
}
