/**
 * `tidings watch` opens a TCP connection to each account's server first thing, before it
 * loads the engine. Loading it (the watch bundle read and deserialized, its modules run, the
 * config validated, the state opened) is about 0.15 s of a restart, all before the first
 * connection; meanwhile the servers accept, start a session (Dovecot forks a login process
 * per connection) and send their greetings, and the first session to each server takes its
 * connection (engine/imap/early-transport.ts) instead of opening one. Browsers preconnect for
 * the same reason.
 *
 * Only the accounts the config file names a server for, read as it stands (`earlyTargetsOf`):
 * it is validated later, by the engine's loader, and nothing here stops on what it finds. An
 * account given by its address alone is looked up then and connects then. Nothing is sent on
 * these connections: no TLS handshake, no login, before the config is known to be good. One
 * not taken within `KEEP_MS` (a server the settings no longer name, a start that stopped at a
 * bad config) is closed: the server sees a client that left before logging in.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import {
  isHostName,
  isInvalidName,
  resolvePort,
  TLS_MODES,
} from '../../../common/server-address.js';
import type { EarlyConnections } from '../../engine/index.js';

/** A server to connect to early. */
export interface EarlyTarget {
  host: string;
  port: number;
}

/** How long an early connection waits to be taken before it is closed. */
export const KEEP_MS = 10_000;
/**
 * How long the start waits for the servers' names to be looked up before it loads the rest:
 * Node sends the connection's first packet from the lookup's callback, which would otherwise
 * run only once the loading is over. A name not looked up by then connects after it.
 */
export const LOOKUP_WAIT_MS = 30;
/** At most this many early connections, whatever the file holds. */
export const MAX_EARLY_CONNECTIONS = 50;

/**
 * The server of each account of the config file `file` that names one: `host`, and `port` or
 * the one of its TLS mode. Anything unreadable or out of shape (the loader will say what) is
 * left out, never thrown.
 */
export function earlyTargetsOf(file: string): EarlyTarget[] {
  let accounts: unknown;
  try {
    accounts = (JSON.parse(readFileSync(file, 'utf8')) as { accounts?: unknown } | null)?.accounts;
  } catch {
    return [];
  }
  if (!Array.isArray(accounts)) return [];
  const targets: EarlyTarget[] = [];
  for (const account of accounts.slice(0, MAX_EARLY_CONNECTIONS)) {
    const { host, port, tls = 'implicit' } = (account ?? {}) as Record<string, unknown>;
    if (typeof host !== 'string' || host.length > 255) continue;
    if (!isHostName(host) || isInvalidName(host)) continue;
    if (
      port !== undefined &&
      !(Number.isInteger(port) && Number(port) >= 1 && Number(port) <= 65_535)
    ) {
      continue;
    }
    if (typeof tls !== 'string' || !(TLS_MODES as readonly string[]).includes(tls)) continue;
    targets.push({ host, port: resolvePort({ port: port as number | undefined, tls }) });
  }
  return targets;
}

/** What a server may say before a connection is taken (a greeting is a line or two); past it, the connection is dropped. */
const MAX_HELD_BYTES = 64 * 1024;

interface Waiting {
  socket: net.Socket;
  drop: () => void;
  /** What the server sent so far, given back to the stream when the connection is taken. */
  held: Buffer[];
  heldBytes: number;
  hold: (chunk: Buffer) => void;
}

/** TCP connections opened before they are asked for, each handed over once. */
export class EarlyConnectionPool implements EarlyConnections {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly timer: NodeJS.Timeout;
  // Settle once each host name has been looked up (or its connection has ended).
  private readonly lookups: Promise<void>[] = [];

  /** Connects to every target (one connection per entry) and keeps them `keepMs` at most. */
  constructor(targets: readonly EarlyTarget[], keepMs = KEEP_MS) {
    for (const { host, port } of targets) {
      const key = keyOf(host, port);
      const socket = net.connect({ host, port });
      // Waiting here must not keep the process alive (a start that stops at a bad config).
      socket.unref();
      const entry: Waiting = {
        socket,
        drop: () => this.remove(key, entry),
        held: [],
        heldBytes: 0,
        hold: (chunk) => {
          entry.held.push(chunk);
          entry.heldBytes += chunk.length;
          if (entry.heldBytes > MAX_HELD_BYTES) socket.destroy();
        },
      };
      if (net.isIP(host) === 0) {
        this.lookups.push(
          new Promise((resolve) => {
            socket.once('lookup', () => resolve());
            socket.once('close', () => resolve());
          }),
        );
      }
      // Refused, reset or closed before it was taken: it is dropped, and the session that
      // would have taken it connects as usual. The listener also keeps an 'error' from
      // being thrown while nobody else listens. The greeting is read meanwhile (and given
      // back on `take`): a server's end of the connection is seen only past what it sent.
      socket.on('error', entry.drop);
      socket.once('end', entry.drop);
      socket.once('close', entry.drop);
      socket.on('data', entry.hold);
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), entry]);
    }
    this.timer = setTimeout(() => this.close(), keepMs);
    this.timer.unref();
  }

  /**
   * Resolves once every connection is on its way: Node connects to an IP address on the next
   * tick, and to a host name once the name is looked up, which is waited for `maxMs` at most.
   */
  async underway(maxMs = LOOKUP_WAIT_MS): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.lookups),
      new Promise((resolve) => (timer = setTimeout(resolve, maxMs))),
    ]);
    clearTimeout(timer);
  }

  /**
   * An open (or opening) connection to `host`:`port`, taken out of the pool; else undefined.
   * It comes paused, what the server said so far unread: its reader resumes it (`pipe` does).
   */
  take(host: string, port: number): net.Socket | undefined {
    const entries = this.waiting.get(keyOf(host, port));
    for (let entry = entries?.shift(); entry; entry = entries?.shift()) {
      this.forget(entry);
      const { socket, held } = entry;
      if (socket.destroyed) continue;
      // Back to a paused stream, the greeting first in line for whoever reads next.
      socket.pause();
      if (held.length > 0) socket.unshift(Buffer.concat(held));
      socket.ref();
      return socket;
    }
    return undefined;
  }

  /** How many connections are still waiting to be taken. */
  get size(): number {
    let size = 0;
    for (const entries of this.waiting.values()) size += entries.length;
    return size;
  }

  /** Closes every connection not taken. */
  close(): void {
    clearTimeout(this.timer);
    for (const entries of this.waiting.values()) {
      for (const entry of entries) this.discard(entry);
    }
    this.waiting.clear();
  }

  private remove(key: string, entry: Waiting): void {
    this.discard(entry);
    const entries = this.waiting.get(key);
    const at = entries?.indexOf(entry) ?? -1;
    if (at >= 0) entries?.splice(at, 1);
  }

  private discard(entry: Waiting): void {
    this.forget(entry);
    entry.socket.on('error', () => {});
    entry.socket.destroy();
  }

  private forget(entry: Waiting): void {
    entry.socket.removeListener('error', entry.drop);
    entry.socket.removeListener('end', entry.drop);
    entry.socket.removeListener('close', entry.drop);
    entry.socket.removeListener('data', entry.hold);
  }
}

function keyOf(host: string, port: number): string {
  return `${host}\n${port}`;
}
