/**
 * A small IMAP server that keeps real mailboxes in memory (UIDs, flags, envelopes) and
 * tells its clients about new mail the way RFC 3501, RFC 2177 (IDLE) and RFC 5465 (NOTIFY)
 * allow, with every freedom those leave taken at random from a seeded generator: when a push
 * goes out (a delay, or only at the end of the next command), whether news of the selected
 * mailbox that was not told yet is dropped when the client selects another one (Dovecot does
 * that), and whether a push is sent twice. Deliveries happen when the test says, including
 * "while this command is being answered". It is the opponent of the interleaving tests:
 * whatever it does, every delivered message must be announced exactly once.
 *
 * Quirks beyond the RFCs can be switched on: `dropInboxPush` loses the STATUS push of an
 * unselected INBOX with the given probability, as Dovecot 2.3's separate INBOX check can.
 * `intercept` lets a test speak in the server's place at any turn (a hostile server).
 */
import net from 'node:net';

/** One message in a model mailbox. */
interface ModelMessage {
  uid: number;
  seen: boolean;
  messageId: string;
  subject: string;
}

interface ModelMailbox {
  uidValidity: number;
  uidNext: number;
  messages: ModelMessage[];
}

/** A turn where the server speaks: the greeting, or its answer to a command. */
export type ServerTurn =
  | { kind: 'greeting'; connection: number }
  | {
      kind: 'command';
      /** Which connection, counted from 1 in the order they came. */
      connection: number;
      tag: string;
      /** Upper-cased, "UID FETCH" for a UID command. */
      name: string;
      line: string;
      selected: string | undefined;
    };

/** The freedoms the server takes, and the quirks it has. */
export interface ModelServerOptions {
  mailboxes: string[];
  /** Uniform in [0, 1): the seeded generator every choice is drawn from. */
  random: () => number;
  /** With NOTIFY (default) or IDLE only. */
  notify?: boolean;
  /** The longest a push waits before it goes out, in ms (default 15). */
  maxPushDelayMs?: number;
  /** The longest a command waits before it is answered, in ms (default 3). */
  maxAnswerDelayMs?: number;
  /**
   * LIST-STATUS (RFC 5819): `ok` answers a LIST with RETURN (STATUS), `refuse` announces it
   * and answers BAD (a server that gets it wrong); off by default.
   */
  listStatus?: 'ok' | 'refuse';
  /** Probability that an unselected INBOX's STATUS push is lost (default 0). */
  dropInboxPush?: number;
  /** Mailboxes whose STATUS pushes are all lost (a server that forgets some). */
  neverPush?: string[];
  /**
   * Called as each command arrives, before it is answered, with the mailbox that connection
   * has selected: a place to deliver mail.
   */
  onCommand?: (name: string, selected: string | undefined) => void;
  /**
   * Called at each turn before the server speaks; true when it has spoken (or stayed silent)
   * in the server's place. What it writes without returning true comes before the usual answer.
   */
  intercept?: (turn: ServerTurn, socket: net.Socket) => boolean;
}

/** A running model server. */
export interface ModelImapServer {
  port: number;
  /** Every command name received, in order, from every connection. */
  readonly commands: readonly string[];
  /** Appends a message to `mailbox` and tells every client that should hear of it. */
  deliver(mailbox: string, messageId: string): void;
  /** Sets \Seen on every message of `mailbox` (a reader elsewhere). */
  markAllSeen(mailbox: string): void;
  /**
   * Deletes `mailbox` and creates it again, empty, with a new UIDVALIDITY; NOTIFY clients
   * get a STATUS with it (Dovecot's UIDVALIDITY event).
   */
  recreate(mailbox: string): void;
  close(): Promise<void>;
}

interface Connection {
  socket: net.Socket;
  number: number;
  selected: string | undefined;
  /** The message count this client was told for the selected mailbox. */
  told: number;
  idleTag: string | undefined;
  /** Mailboxes NOTIFY SET named; undefined before NOTIFY SET. */
  notified: Set<string> | undefined;
  busy: boolean;
  /** Unselected mailboxes with a STATUS push on its way. */
  pushing: Set<string>;
  existsTimer: NodeJS.Timeout | undefined;
}

/** Starts a model server on a free loopback port. */
export async function startModelImapServer(options: ModelServerOptions): Promise<ModelImapServer> {
  const { random } = options;
  const withNotify = options.notify ?? true;
  const capabilities =
    `IMAP4rev1 IDLE${withNotify ? ' NOTIFY' : ''}` +
    (options.listStatus ? ' LIST-EXTENDED LIST-STATUS' : '');
  const boxes = new Map<string, ModelMailbox>(
    options.mailboxes.map((name, i) => [name, { uidValidity: 100 + i, uidNext: 1, messages: [] }]),
  );
  const connections = new Set<Connection>();
  const commands: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, action: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const pushDelay = () => Math.floor(random() * ((options.maxPushDelayMs ?? 15) + 1));
  const write = (conn: Connection, line: string) => {
    if (!conn.socket.destroyed) conn.socket.write(`${line}\r\n`);
  };

  const statusLine = (name: string): string => {
    const box = boxes.get(name);
    if (!box) return '';
    const unseen = box.messages.filter((m) => !m.seen).length;
    return (
      `* STATUS ${quote(name)} (MESSAGES ${box.messages.length} UIDNEXT ${box.uidNext} ` +
      `UIDVALIDITY ${box.uidValidity} UNSEEN ${unseen})`
    );
  };

  /** Tells `conn` the selected mailbox's new count, if it has one to tell. */
  const tellExists = (conn: Connection) => {
    const box = conn.selected === undefined ? undefined : boxes.get(conn.selected);
    if (!box || box.messages.length === conn.told) return;
    conn.told = box.messages.length;
    write(conn, `* ${conn.told} EXISTS`);
  };

  /** News of the selected mailbox: at once in IDLE, else at the end of a command or later. */
  const scheduleExists = (conn: Connection) => {
    if (conn.existsTimer) return;
    conn.existsTimer = later(pushDelay(), () => {
      conn.existsTimer = undefined;
      // Outside IDLE the next command's end tells it (RFC 3501 §7: at command completion).
      if (conn.idleTag !== undefined && !conn.busy) tellExists(conn);
    });
  };

  /** News of an unselected mailbox on a NOTIFY connection: a STATUS push, after a while. */
  const schedulePush = (conn: Connection, name: string) => {
    if (conn.pushing.has(name)) return;
    if (name === 'INBOX' && random() < (options.dropInboxPush ?? 0)) return;
    if (options.neverPush?.includes(name)) return;
    conn.pushing.add(name);
    const twice = random() < 0.2;
    later(pushDelay(), () => {
      conn.pushing.delete(name);
      // Dovecot drops the news of a mailbox the client selected in the meantime.
      if (conn.selected === name) return;
      write(conn, statusLine(name));
      if (twice) later(pushDelay(), () => write(conn, statusLine(name)));
    });
  };

  const deliver = (name: string, messageId: string) => {
    const box = boxes.get(name);
    if (!box) throw new Error(`model server: no mailbox ${name}`);
    box.messages.push({ uid: box.uidNext++, seen: false, messageId, subject: `to ${name}` });
    for (const conn of connections) {
      if (conn.selected === name) scheduleExists(conn);
      else if (conn.notified?.has(name)) schedulePush(conn, name);
    }
  };

  let accepted = 0;
  const server = net.createServer((socket) => {
    const conn: Connection = {
      socket,
      number: ++accepted,
      selected: undefined,
      told: 0,
      idleTag: undefined,
      notified: undefined,
      busy: false,
      pushing: new Set(),
      existsTimer: undefined,
    };
    connections.add(conn);
    // Each line is its own write: without this, Nagle's algorithm holds the next one back for
    // the client's delayed ACK (~40 ms a round trip on Linux loopback).
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => connections.delete(conn));
    if (!options.intercept?.({ kind: 'greeting', connection: conn.number }, socket)) {
      write(conn, `* OK [CAPABILITY ${capabilities}] model ready`);
    }
    let buffer = '';
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let at = buffer.indexOf('\r\n'); at >= 0; at = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        queue = queue.then(() => answer(conn, line));
      }
    });
  });

  const answer = async (conn: Connection, line: string) => {
    if (line.toUpperCase() === 'DONE') {
      if (conn.idleTag !== undefined) {
        tellExists(conn);
        write(conn, `${conn.idleTag} OK IDLE terminated`);
      }
      conn.idleTag = undefined;
      return;
    }
    const words = tokenize(line);
    const tag = words[0] ?? '*';
    let name = (words[1] ?? '').toUpperCase();
    let args = words.slice(2);
    let uid = false;
    if (name === 'UID') {
      uid = true;
      name = `${(args[0] ?? '').toUpperCase()}`;
      args = args.slice(1);
    }
    commands.push(uid ? `UID ${name}` : name);
    conn.busy = true;
    options.onCommand?.(name, conn.selected);
    const delay = Math.floor(random() * ((options.maxAnswerDelayMs ?? 3) + 1));
    if (delay > 0) await new Promise((resolve) => later(delay, () => resolve(undefined)));
    const turn = { connection: conn.number, tag, line, selected: conn.selected };
    const command = { kind: 'command' as const, ...turn, name: uid ? `UID ${name}` : name };
    if (options.intercept?.(command, conn.socket)) {
      conn.busy = false;
      return;
    }
    const ok = (text = 'done') => {
      conn.busy = false;
      write(conn, `${tag} OK ${text}`);
    };
    switch (name) {
      case 'CAPABILITY':
        write(conn, `* CAPABILITY ${capabilities}`);
        return ok();
      case 'LOGIN':
        return ok(`[CAPABILITY ${capabilities}] logged in`);
      case 'LOGOUT':
        write(conn, '* BYE bye');
        conn.busy = false;
        conn.socket.end(`${tag} OK bye\r\n`);
        return;
      case 'NOOP':
        tellExists(conn);
        return ok();
      case 'LIST': {
        const pattern = args[1] ?? '';
        if ((args[2] ?? '').toUpperCase() === 'RETURN') {
          if (options.listStatus !== 'ok') {
            conn.busy = false;
            return write(conn, `${tag} BAD unknown LIST option`);
          }
          // LIST-EXTENDED's pattern list, each a plain name here: LIST and STATUS of each.
          const names = [...pattern.matchAll(/"((?:[^"\\]|\\.)*)"|([^\s()]+)/g)];
          for (const match of names) {
            const box = (match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1');
            if (!boxes.has(box)) continue;
            write(conn, `* LIST () "/" ${quote(box)}`);
            write(conn, statusLine(box));
          }
          return ok();
        }
        if (pattern === '') write(conn, '* LIST (\\Noselect) "/" ""');
        for (const box of boxes.keys()) {
          if (pattern === '*' || pattern === '%' || pattern === box) {
            write(conn, `* LIST () "/" ${quote(box)}`);
          }
        }
        return ok();
      }
      case 'NOTIFY': {
        conn.notified = new Set(notifiedNames(line));
        for (const box of conn.notified) if (box !== conn.selected) write(conn, statusLine(box));
        return ok();
      }
      case 'STATUS': {
        const box = args[0] ?? '';
        if (!boxes.has(box)) {
          conn.busy = false;
          return write(conn, `${tag} NO [NONEXISTENT] no such mailbox`);
        }
        write(conn, statusLine(box));
        return ok();
      }
      case 'SELECT':
      case 'EXAMINE': {
        const boxName = args[0] ?? '';
        const box = boxes.get(boxName);
        // Changing the selection drops whatever news of the old one was not told yet.
        conn.selected = undefined;
        if (!box) {
          conn.busy = false;
          return write(conn, `${tag} NO [NONEXISTENT] no such mailbox`);
        }
        conn.selected = boxName;
        conn.told = box.messages.length;
        write(conn, '* FLAGS (\\Seen \\Deleted)');
        write(conn, `* ${conn.told} EXISTS`);
        write(conn, '* 0 RECENT');
        write(conn, `* OK [UIDVALIDITY ${box.uidValidity}] ok`);
        write(conn, `* OK [UIDNEXT ${box.uidNext}] ok`);
        return ok(name === 'EXAMINE' ? '[READ-ONLY] done' : '[READ-WRITE] done');
      }
      case 'CLOSE':
      case 'UNSELECT':
        conn.selected = undefined;
        return ok();
      case 'IDLE':
        conn.busy = false;
        conn.idleTag = tag;
        write(conn, '+ idling');
        tellExists(conn);
        return;
      case 'SEARCH':
        write(conn, `* SEARCH ${search(conn, args).join(' ')}`.trimEnd());
        tellExists(conn);
        return ok();
      case 'FETCH':
        fetch(conn, args[0] ?? '');
        tellExists(conn);
        return ok();
      default:
        return ok();
    }
  };

  const visible = (conn: Connection): ModelMessage[] => {
    const box = conn.selected === undefined ? undefined : boxes.get(conn.selected);
    return box ? box.messages.slice(0, conn.told) : [];
  };

  const search = (conn: Connection, args: string[]): number[] => {
    const messages = visible(conn);
    const key = (args[0] ?? '').toUpperCase();
    if (key === 'UNSEEN') return messages.filter((m) => !m.seen).map((m) => m.uid);
    if (key === 'UID') {
      const [from = '1'] = (args[1] ?? '').split(':');
      const uids = messages.map((m) => m.uid);
      const above = uids.filter((u) => u >= Number(from));
      // RFC 3501 §6.4.8: "n:*" always includes the highest UID.
      const highest = uids.at(-1);
      return above.length === 0 && highest !== undefined ? [highest] : above;
    }
    return messages.map((m) => m.uid);
  };

  const fetch = (conn: Connection, range: string) => {
    const [first = '0', last = first] = range.split(':');
    const messages = visible(conn);
    messages.forEach((message, i) => {
      if (message.uid < Number(first) || (last !== '*' && message.uid > Number(last))) return;
      const envelope =
        `("Sun, 06 Dec 2026 10:00:00 +0000" ${quote(message.subject)} ` +
        `(("Ann" NIL "ann" "example.test")) (("Ann" NIL "ann" "example.test")) ` +
        `(("Ann" NIL "ann" "example.test")) ((NIL NIL "me" "example.test")) ` +
        `NIL NIL NIL ${quote(message.messageId)})`;
      conn.socket.write(
        `* ${i + 1} FETCH (UID ${message.uid} FLAGS (${message.seen ? '\\Seen' : ''}) ` +
          `ENVELOPE ${envelope} BODY[HEADER.FIELDS (LIST-ID)] {2}\r\n\r\n)\r\n`,
      );
    });
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    commands,
    deliver,
    markAllSeen(name) {
      for (const message of boxes.get(name)?.messages ?? []) message.seen = true;
    },
    recreate(name) {
      const box = boxes.get(name);
      if (!box) throw new Error(`model server: no mailbox ${name}`);
      boxes.set(name, { uidValidity: box.uidValidity + 1000, uidNext: 1, messages: [] });
      for (const conn of connections) {
        if (conn.selected === name) conn.selected = undefined;
        if (conn.notified?.has(name)) schedulePush(conn, name);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const conn of connections) conn.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Splits a command line into atoms, quoted strings (unquoted) and parenthesised groups. */
function tokenize(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\((?:[^()"]|"(?:[^"\\]|\\.)*"|\([^()]*\))*\))|(\S+)/g;
  for (const match of line.matchAll(pattern)) {
    words.push(
      match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3] ?? ''),
    );
  }
  return words;
}

/** The names of NOTIFY SET's `mailboxes` filter. */
function notifiedNames(line: string): string[] {
  const list = /\(mailboxes \(([^)]*)\)/i.exec(line)?.[1] ?? '';
  return [...list.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}
