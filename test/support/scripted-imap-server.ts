/**
 * A tiny scripted IMAP server on a loopback port, for what a real Dovecot will not do: say
 * hostile things (escape sequences in a BYE or a NO), take its time over LOGIN, refuse a
 * login for now (RFC 5530 UNAVAILABLE), or leave a DONE unanswered. It greets, then answers
 * each command line through the script, or with a plain tagged OK (CAPABILITY, LIST, SELECT,
 * IDLE and LOGOUT get their usual answers). It also counts sessions in progress: from the
 * connection until the client says LOGOUT (or goes away). An empty INBOX is all it holds.
 * `push` speaks unasked to every open connection (an untagged ALERT, a BYE).
 */
import net from 'node:net';

/** One command line from the client. */
export interface ImapCommand {
  tag: string;
  /** Upper-cased: "LOGIN", "CAPABILITY"… ("DONE" for the line that ends IDLE). */
  name: string;
  line: string;
}

/** How the server behaves; `respond` returns true when it has answered the command itself. */
export interface ImapScript {
  /** Capabilities in the greeting and the CAPABILITY answer; "IMAP4rev1 IDLE" by default. */
  capabilities?: string;
  greeting?: string;
  respond?(command: ImapCommand, socket: net.Socket): boolean | Promise<boolean>;
}

/** A running scripted server. */
export interface ScriptedImapServer {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** The most sessions that were in progress at the same time. */
  readonly maxConcurrent: number;
  /** Every command line received, from every connection, in order. */
  readonly commands: readonly ImapCommand[];
  /** Drops every open connection at once (a server restart, a reset on the way). */
  dropAll(): void;
  /** Writes `line` (CRLF added) to every open connection, unasked. */
  push(line: string): void;
  close(): Promise<void>;
}

/** Starts a scripted server on a free loopback port. */
export async function startScriptedImapServer(
  script: ImapScript = {},
): Promise<ScriptedImapServer> {
  const capabilities = script.capabilities ?? 'IMAP4rev1 IDLE';
  let accepted = 0;
  let active = 0;
  let maxConcurrent = 0;
  const commands: ImapCommand[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    accepted++;
    active++;
    maxConcurrent = Math.max(maxConcurrent, active);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      active--;
    };
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      end();
    });
    socket.write(`${script.greeting ?? `* OK [CAPABILITY ${capabilities}] scripted ready`}\r\n`);
    const session: Session = { idleTag: undefined };
    let buffer = '';
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let at = buffer.indexOf('\r\n'); at >= 0; at = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const [tag = '*', name = ''] = line.split(' ');
        const command =
          line.toUpperCase() === 'DONE'
            ? { tag: '', name: 'DONE', line }
            : { tag, name: name.toUpperCase(), line };
        commands.push(command);
        if (command.name === 'LOGOUT') end();
        // One command at a time, in order, like a real server's session.
        queue = queue.then(() => answer(command, socket, session));
      }
    });
  });
  const answer = async (command: ImapCommand, socket: net.Socket, session: Session) => {
    if (socket.destroyed || (await script.respond?.(command, socket))) return;
    const { tag, name } = command;
    if (name === 'DONE') {
      // RFC 2177: DONE ends IDLE, and the IDLE command's tagged OK answers it.
      if (session.idleTag !== undefined) socket.write(`${session.idleTag} OK IDLE terminated\r\n`);
      session.idleTag = undefined;
      return;
    }
    if (name === 'IDLE') {
      session.idleTag = tag;
      socket.write('+ idling\r\n');
      return;
    }
    if (name === 'STARTTLS' && !/\bSTARTTLS\b/.test(capabilities)) {
      // Never start a handshake this server cannot finish; Dovecot answers the same way.
      socket.write(`${tag} BAD STARTTLS not offered\r\n`);
      return;
    }
    // No AUTH= capability: imapflow logs in with LOGIN, one line a script can answer.
    if (name === 'CAPABILITY') socket.write(`* CAPABILITY ${capabilities}\r\n`);
    if (name === 'LIST') socket.write(`* LIST () "/" INBOX\r\n`);
    if (name === 'SELECT' || name === 'EXAMINE') {
      socket.write(`* 0 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 1] ok\r\n`);
    }
    if (name === 'LOGOUT') {
      socket.end(`* BYE logging out\r\n${tag} OK LOGOUT completed\r\n`);
      return;
    }
    socket.write(`${tag} OK ${name} completed\r\n`);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    commands,
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    push(line) {
      for (const socket of sockets) if (socket.writable) socket.write(`${line}\r\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What one connection is in the middle of. */
interface Session {
  /** The tag of the IDLE in progress, which DONE answers. */
  idleTag: string | undefined;
}
