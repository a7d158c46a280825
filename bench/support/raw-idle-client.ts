/**
 * The latency floor: a bare IMAP client on a socket that logs in, selects a mailbox, enters
 * IDLE and timestamps each untagged "* N EXISTS". Dovecot itself holds IDLE notifications
 * back (it batches mailbox changes), so Tidings' latency means something only beside this.
 *
 * Two kinds: one that stays in IDLE for good (the floor any IDLE client can reach), and one
 * that, like Tidings, leaves IDLE on each EXISTS to fetch the new messages' headers on the
 * same connection and then idles again (`reidle`): the floor for that way of working.
 */
import net from 'node:net';

/** A raw IDLE client; `exists` holds [count, time] for each EXISTS seen after SELECT. */
export interface RawIdleClient {
  exists: Array<{ count: number; at: number }>;
  waitForCount(count: number, timeoutMs?: number): Promise<number>;
  close(): void;
}

/** Options of a raw client. */
export interface RawIdleOptions {
  mailbox?: string;
  /** Leave IDLE on each EXISTS, FETCH the new messages' headers, then IDLE again. */
  reidle?: boolean;
  /**
   * Instead of SELECT and IDLE: NOTIFY SET STATUS (RFC 5465) for the mailbox with none
   * selected, and timestamp each untagged STATUS (the floor of Tidings' NOTIFY mode, which
   * waits the same way). Its `exists` holds the message count each STATUS gives.
   */
  notify?: boolean;
}

/**
 * The message count an untagged STATUS of `mailbox` gives (MESSAGES, else UIDNEXT − 1, which
 * is the same in a mailbox that never lost mail), or undefined for any other line.
 */
export function parseStatusCount(line: string, mailbox: string): number | undefined {
  const match = /^\* STATUS (?:"((?:[^"\\]|\\.)*)"|(\S+)) \((.*)\)$/i.exec(line);
  if (!match) return undefined;
  const name = match[1] ?? match[2] ?? '';
  const same =
    name === mailbox || (name.toUpperCase() === 'INBOX' && mailbox.toUpperCase() === 'INBOX');
  if (!same) return undefined;
  const items = match[3] ?? '';
  const messages = /\bMESSAGES (\d+)/i.exec(items);
  if (messages) return Number(messages[1]);
  const uidNext = /\bUIDNEXT (\d+)/i.exec(items);
  return uidNext ? Number(uidNext[1]) - 1 : undefined;
}

/** Connects, logs in (LOGIN), selects the mailbox (INBOX by default) and idles. */
export async function startRawIdleClient(
  port: number,
  user: string,
  password: string,
  options: RawIdleOptions = {},
): Promise<RawIdleClient> {
  const mailbox = options.mailbox ?? 'INBOX';
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  const exists: RawIdleClient['exists'] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let selected = false;
  let onLine: (line: string) => void = () => {};
  socket.on('data', (chunk: string) => {
    const at = performance.now();
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const match = /^\* (\d+) EXISTS$/.exec(line);
      const status = options.notify ? parseStatusCount(line, mailbox) : undefined;
      if (selected && (match || status !== undefined)) {
        exists.push({ count: status ?? Number(match?.[1]), at });
        waiters.forEach((w) => w());
      }
      onLine(line);
    }
  });
  const expect = (prefix: string) =>
    new Promise<void>((resolve, reject) => {
      onLine = (line) => {
        if (line.startsWith(prefix)) resolve();
        else if (/^\w+ (NO|BAD) /.test(line)) {
          socket.destroy();
          reject(new Error(line));
        }
      };
    });
  const send = (text: string, prefix: string) => {
    const answered = expect(prefix);
    socket.write(`${text}\r\n`);
    return answered;
  };
  const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  await expect('* OK');
  await send(`a LOGIN ${quote(user)} ${quote(password)}`, 'a OK');
  if (options.notify) {
    selected = true;
    // STATUS first sends the mailbox's status as it is (its count so far), then each change.
    await send(
      `n NOTIFY SET STATUS (mailboxes ${quote(mailbox)} (MessageNew MessageExpunge))`,
      'n OK',
    );
  } else {
    await send(`b SELECT ${quote(mailbox)}`, 'b OK');
    selected = true;
    await send('i0 IDLE', '+');
  }
  if (options.reidle && !options.notify) void cycleOnExists(exists, waiters, send, socket);
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

// The re-idling client's loop: on news, DONE, fetch what is new, IDLE again; until closed.
async function cycleOnExists(
  exists: RawIdleClient['exists'],
  waiters: Set<() => void>,
  send: (text: string, prefix: string) => Promise<void>,
  socket: net.Socket,
): Promise<void> {
  let fetched = 0;
  let tag = 0;
  const news = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (Math.max(0, ...exists.map((e) => e.count)) <= fetched) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  try {
    while (!socket.destroyed) {
      await news();
      await send('DONE', `i${tag} OK`);
      const count = Math.max(...exists.map((e) => e.count));
      tag++;
      await send(
        `f${tag} FETCH ${fetched + 1}:${count} (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT MESSAGE-ID)])`,
        `f${tag} OK`,
      );
      fetched = count;
      await send(`i${tag} IDLE`, '+');
    }
  } catch {
    // The socket closed under a command: the run is over.
  }
}
