/**
 * A passive tap between `tidings watch` and Dovecot that timestamps each "* N EXISTS" the
 * server sends, as it is forwarded to Tidings: when Tidings itself heard of new mail.
 */
import { startFaultProxy } from '../../test/support/fault-proxy.js';

/** The tap's port (point Tidings at it), what it saw, and how to close it. */
export interface ExistsTap {
  port: number;
  exists: Array<{ count: number; at: number }>;
  close(): Promise<void>;
}

/** Starts a tap in front of Dovecot on `port`. */
export async function startExistsTap(port: number): Promise<ExistsTap> {
  const exists: ExistsTap['exists'] = [];
  const proxy = await startFaultProxy(port, '127.0.0.1', (chunk, fromClient) => {
    if (fromClient) return;
    const at = performance.now();
    for (const match of chunk.toString('latin1').matchAll(/\* (\d+) EXISTS\r\n/g)) {
      exists.push({ count: Number(match[1]), at });
    }
  });
  return { port: proxy.port, exists, close: () => proxy.close() };
}
