/**
 * A passive tap between `tidings watch` and the server that timestamps each "* N EXISTS" and
 * each untagged STATUS of the tapped mailbox the server sends, as it is forwarded to
 * Tidings: when Tidings itself heard of new mail. With NOTIFY (RFC 5465) news of a mailbox
 * that is not selected comes as STATUS; while Tidings has it EXAMINEd for a resync, as EXISTS.
 */
import { startFaultProxy, type FaultProxy } from '../../test/support/fault-proxy.js';
import { parseStatusCount } from './raw-idle-client.js';

/** What the server told Tidings: a message count and when, and how (EXISTS or STATUS). */
export interface TappedNews {
  count: number;
  at: number;
  kind: 'exists' | 'status';
}

/** The tap's port (point Tidings at it), what it saw, and how to close it. */
export interface ExistsTap {
  port: number;
  exists: TappedNews[];
  /** Connections the tap accepted, and the most open at once. */
  accepted(): number;
  maxOpen(): number;
  close(): Promise<void>;
}

/**
 * Starts a tap in front of the server on `port`. STATUS lines count for `mailbox` (INBOX by
 * default); EXISTS counts whatever is selected, which in the benches is the mailbox mail goes to
 * (Tidings also EXAMINEs others in a resync round, but those get no mail in these runs).
 */
export async function startExistsTap(port: number, mailbox = 'INBOX'): Promise<ExistsTap> {
  const exists: TappedNews[] = [];
  let maxOpen = 0;
  let proxy: FaultProxy | undefined = undefined;
  // Chunks are taken whole, as lines: Dovecot writes each response line in one go, and a tap
  // that joined split lines would have to keep one tail per connection.
  proxy = await startFaultProxy(port, '127.0.0.1', (chunk, fromClient) => {
    maxOpen = Math.max(maxOpen, proxy?.open ?? 0);
    if (fromClient) return;
    const at = performance.now();
    for (const line of chunk.toString('latin1').split('\r\n')) {
      const match = /^\* (\d+) EXISTS$/.exec(line);
      if (match) exists.push({ count: Number(match[1]), at, kind: 'exists' });
      const status = parseStatusCount(line, mailbox);
      if (status !== undefined) exists.push({ count: status, at, kind: 'status' });
    }
  });
  const running = proxy;
  return {
    port: running.port,
    exists,
    accepted: () => running.accepted,
    maxOpen: () => Math.max(maxOpen, running.open),
    close: () => running.close(),
  };
}
