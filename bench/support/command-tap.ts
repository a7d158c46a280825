/**
 * A passive tap between `tidings watch` and the server that counts the commands Tidings sends,
 * by name (EXAMINE, SELECT, STATUS, NOTIFY, LIST, …; `UID FETCH` counts as UID), over every
 * connection. Client chunks are taken as whole lines: imapflow writes each command in one go,
 * and a command split across chunks would at worst be missed, never counted twice.
 */
import { startFaultProxy } from '../../test/support/fault-proxy.js';

/** The tap's port (point Tidings at it), what it counted, and how to close it. */
export interface CommandTap {
  port: number;
  /** Commands by name since the last `reset`. */
  counts: Map<string, number>;
  /** Connections accepted since the last `reset`. */
  accepted(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a command-counting tap in front of the server on `port`. */
export async function startCommandTap(port: number): Promise<CommandTap> {
  const counts = new Map<string, number>();
  let acceptedBefore = 0;
  const proxy = await startFaultProxy(port, '127.0.0.1', (chunk, fromClient) => {
    if (!fromClient) return;
    for (const line of chunk.toString('latin1').split('\r\n')) {
      const name = /^[A-Za-z0-9.]+ ([A-Za-z]+)/.exec(line)?.[1]?.toUpperCase();
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  });
  return {
    port: proxy.port,
    counts,
    accepted: () => proxy.accepted - acceptedBefore,
    reset() {
      counts.clear();
      acceptedBefore = proxy.accepted;
    },
    close: () => proxy.close(),
  };
}

/** `EXAMINE 3, SELECT 0, …` for the names given (0 when never seen), then the rest. */
export function describeCounts(counts: Map<string, number>, first: string[]): string {
  const rest = [...counts.keys()].filter((name) => !first.includes(name)).sort();
  return [...first, ...rest].map((name) => `${name} ${counts.get(name) ?? 0}`).join(', ');
}
