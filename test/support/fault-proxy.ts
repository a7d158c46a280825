/**
 * A TCP proxy between the client under test and a real server, with the faults of the field:
 * reset every connection, blackhole (stop forwarding both ways without closing), swallow
 * what the client sends, refuse new connections (a closed port: ECONNREFUSED), accept and
 * close them before the greeting (drop), and delay.
 * It can also speak for the server (an untagged BYE), edit what the server says (a server
 * that offers less), and hold a client command while the test changes the mailbox elsewhere.
 */
import net from 'node:net';

/** How the proxy treats traffic from now on. */
export type ProxyMode = 'pass' | 'blackhole' | 'swallow-client' | 'refuse' | 'drop';

/** A running proxy. */
export interface FaultProxy {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open right now. */
  readonly open: number;
  setMode(mode: ProxyMode): Promise<void>;
  /** Delays every chunk in both directions by `ms`. */
  setDelay(ms: number): void;
  /** Resets (RST) every open connection. */
  resetAll(): void;
  /**
   * Kills every open connection without telling the client: the server side closes, the
   * client's socket stays open and nothing reaches it again (a NAT mapping lost in sleep).
   */
  killSilently(): void;
  /**
   * Sends `* BYE reason` to every open client as if the server had said it, and drops the
   * server side. `then: 'close'` ends the client's socket too, as a real server does;
   * `'mute'` keeps it open and silent (the FIN lost on the way).
   */
  bye(reason: string, then: 'close' | 'mute'): void;
  /** Rewrites server-to-client bytes (as latin1 text) from now on; undefined stops it. */
  setServerFilter(filter: ((text: string) => string) | undefined): void;
  /**
   * Holds the next client chunk matching `pattern`, and everything the client sends after it,
   * until `action` has settled; resolves (or rejects) with `action` once the chunk went on.
   */
  holdClient(pattern: RegExp, action: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
  dead: boolean;
  /** While a hold runs, client chunks queue behind it, in order. */
  held: Promise<void> | undefined;
}

interface Hold {
  pattern: RegExp;
  action: () => Promise<unknown>;
  settle: (error?: unknown) => void;
}

/** Starts a proxy on a free loopback port forwarding to `targetPort`. */
export async function startFaultProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
  /** Sees every chunk as it is forwarded, and which way it goes (benchmarks). */
  onChunk?: (chunk: Buffer, fromClient: boolean) => void,
): Promise<FaultProxy> {
  let mode: ProxyMode = 'pass';
  let delayMs = 0;
  let accepted = 0;
  let serverFilter: ((text: string) => string) | undefined;
  let hold: Hold | undefined;
  const pairs = new Set<Pair>();

  const send = (pair: Pair, to: net.Socket, raw: Buffer, fromClient: boolean) => {
    if (pair.dead) return;
    const chunk =
      !fromClient && serverFilter
        ? Buffer.from(serverFilter(raw.toString('latin1')), 'latin1')
        : raw;
    onChunk?.(chunk, fromClient);
    if (delayMs > 0) setTimeout(() => to.writable && to.write(chunk), delayMs);
    else if (to.writable) to.write(chunk);
  };

  const forward = (pair: Pair, from: net.Socket, to: net.Socket, fromClient: boolean) => {
    from.on('data', (chunk: Buffer) => {
      if (pair.dead || mode === 'blackhole' || (fromClient && mode === 'swallow-client')) return;
      if (!fromClient) return send(pair, to, chunk, fromClient);
      const matched = hold?.pattern.test(chunk.toString('latin1')) ? hold : undefined;
      if (matched) {
        hold = undefined;
        pair.held = (pair.held ?? Promise.resolve()).then(() =>
          matched.action().then(
            () => matched.settle(),
            (error: unknown) => matched.settle(error ?? new Error('hold action failed')),
          ),
        );
      }
      if (!pair.held) return send(pair, to, chunk, fromClient);
      const queued = pair.held.then(() => send(pair, to, chunk, fromClient));
      pair.held = queued;
      void queued.then(() => {
        if (pair.held === queued) pair.held = undefined;
      });
    });
  };

  const onConnection = (client: net.Socket) => {
    accepted++;
    if (mode === 'drop') {
      // Accepted, then closed before any greeting: a server whose front is up and back is not.
      client.on('error', () => {});
      client.destroy();
      return;
    }
    const server = net.connect(targetPort, targetHost);
    const pair: Pair = { client, server, dead: false, held: undefined };
    pairs.add(pair);
    forward(pair, client, server, true);
    forward(pair, server, client, false);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', end);
    client.on('close', end);
    server.on('error', end);
    server.on('close', () => {
      // A silently killed pair keeps its client side open and mute.
      if (!pair.dead) end();
    });
  };

  let listener = net.createServer(onConnection);
  const port = await listen(listener, 0);

  return {
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    async setMode(next) {
      if (next === mode) return;
      if (next === 'refuse') {
        // Stop listening: new connections get ECONNREFUSED, open ones stay as they are (so
        // close's callback, which waits for them, is not awaited).
        listener.close();
      } else if (mode === 'refuse') {
        listener = net.createServer(onConnection);
        await listen(listener, port);
      }
      mode = next;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    resetAll() {
      for (const { client, server } of pairs) {
        client.resetAndDestroy();
        server.destroy();
      }
      pairs.clear();
    },
    killSilently() {
      for (const pair of pairs) {
        pair.dead = true;
        pair.server.destroy();
      }
    },
    bye(reason, then) {
      for (const pair of pairs) {
        pair.dead = true;
        pair.server.destroy();
        if (then === 'close') pair.client.end(`* BYE ${reason}\r\n`);
        else pair.client.write(`* BYE ${reason}\r\n`);
      }
    },
    setServerFilter(filter) {
      serverFilter = filter;
    },
    holdClient(pattern, action) {
      return new Promise<void>((resolve, reject) => {
        hold = {
          pattern,
          action,
          settle: (error) => (error === undefined ? resolve() : reject(error)),
        };
      });
    },
    async close() {
      for (const { client, server } of pairs) {
        client.destroy();
        server.destroy();
      }
      pairs.clear();
      if (listener.listening) await new Promise((resolve) => listener.close(resolve));
    },
  };
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}
