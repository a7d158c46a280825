/**
 * The latency floor: a bare IMAP client on a socket that logs in, selects a mailbox, enters
 * IDLE and timestamps each untagged "* N EXISTS". Dovecot itself holds IDLE notifications
 * back (it batches mailbox changes), so Tidings' latency means something only beside this.
 */
import net from 'node:net';

/** A raw IDLE client; `exists` holds [count, time] for each EXISTS seen while idling. */
export interface RawIdleClient {
  exists: Array<{ count: number; at: number }>;
  waitForCount(count: number, timeoutMs?: number): Promise<number>;
  close(): void;
}

/** Connects, logs in (LOGIN), selects `mailbox` and idles. */
export async function startRawIdleClient(
  port: number,
  user: string,
  password: string,
  mailbox = 'INBOX',
): Promise<RawIdleClient> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  const exists: RawIdleClient['exists'] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let idling = false;
  let onLine: (line: string) => void = () => {};
  socket.on('data', (chunk: string) => {
    const at = performance.now();
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const match = /^\* (\d+) EXISTS$/.exec(line);
      if (idling && match) {
        exists.push({ count: Number(match[1]), at });
        waiters.forEach((w) => w());
      }
      onLine(line);
    }
  });
  const expect = (prefix: string) =>
    new Promise<void>((resolve, reject) => {
      onLine = (line) => {
        if (line.startsWith(prefix)) resolve();
        else if (/^\w+ (NO|BAD) /.test(line)) reject(new Error(line));
      };
    });
  const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  await expect('* OK');
  socket.write(`a LOGIN ${quote(user)} ${quote(password)}\r\n`);
  await expect('a OK');
  socket.write(`b SELECT ${quote(mailbox)}\r\n`);
  await expect('b OK');
  socket.write('c IDLE\r\n');
  await expect('+');
  idling = true;
  return {
    exists,
    waitForCount(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = exists.find((e) => e.count >= count);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit.at);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`raw client saw no EXISTS ${count}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => socket.destroy(),
  };
}
