/**
 * One interface over the real IMAP servers the suites run against: Dovecot 2.3 (wrapping
 * dovecot.ts), Cyrus 3.6 (cyrus.ts) and Courier 5.0 (courier.ts). Mail is delivered with
 * IMAP APPEND as the test user through imapflow, which every server takes the same way; what
 * differs between them is named in `quirks`, and the suites read it from there.
 */
import { ImapFlow } from 'imapflow';
import { startCourier } from './courier.js';
import { startCyrus } from './cyrus.js';
import { startDovecot, type DovecotOptions } from './dovecot.js';

/** The servers `startImapServer` knows. */
export const imapServerKinds = ['dovecot', 'cyrus', 'courier'] as const;
export type ImapServerKind = (typeof imapServerKinds)[number];

/** What a server does its own way. */
export interface ImapServerQuirks {
  /** How a new message reaches an idling client: pushed at once, or found by a poll. */
  idle: 'push' | 'poll';
  /** What tells the server's IDLE of new mail, for test names. */
  idleBy: string;
  /** Seconds the server waits before answering a wrong password. */
  failedLoginDelaySeconds: number;
  /** SELECT and EXAMINE carry no UIDNEXT, which RFC 3501 §6.3.1 requires (Courier). */
  selectWithoutUidNext: boolean;
  /** How a top-level folder named `name` is spelt (Courier keeps every folder under INBOX.). */
  folder(name: string): string;
}

/** The quirks of each server, known before it starts (the suites name them in test names). */
export const imapServerQuirks: Record<ImapServerKind, ImapServerQuirks> = {
  dovecot: {
    idle: 'push',
    idleBy: 'IDLE pushed through inotify',
    failedLoginDelaySeconds: 0,
    selectWithoutUidNext: false,
    folder: (name) => name,
  },
  // altnamespace (Cyrus 3's default) puts folders beside INBOX. Without idled, IDLE would
  // be a poll every imapidlepoll seconds (60 by default). failedloginpause (3 s by default)
  // holds the NO to a wrong password.
  cyrus: {
    idle: 'push',
    idleBy: 'IDLE pushed by idled',
    failedLoginDelaySeconds: 3,
    selectWithoutUidNext: false,
    folder: (name) => name,
  },
  // Courier 5.0.13's SELECT response: FLAGS, PERMANENTFLAGS, EXISTS, RECENT, UIDVALIDITY,
  // MYRIGHTS, and no UIDNEXT (STATUS (UIDNEXT) has it). imaplogin sleeps 5 s before
  // "NO Login failed." (hard-coded). Without FAM, IDLE would poll every IMAP_IDLE_TIMEOUT s.
  courier: {
    idle: 'push',
    idleBy: 'IDLE pushed through FAM (gamin)',
    failedLoginDelaySeconds: 5,
    selectWithoutUidNext: true,
    folder: (name) => `INBOX.${name}`,
  },
};

/** A running server, whichever it is. */
export interface ImapTestServer {
  kind: ImapServerKind;
  /** Product and version, for test names. */
  title: string;
  host: string;
  port: number;
  quirks: ImapServerQuirks;
  /** Adds a user with an empty INBOX; it can log in at once. */
  addUser(user: string, password: string): Promise<void>;
  /** Runs `fn` with a logged-in client of `user` (added through addUser), then logs out. */
  withClient<T>(user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  createMailbox(user: string, mailbox: string): Promise<void>;
  deleteMailbox(user: string, mailbox: string): Promise<void>;
  /** APPENDs raw messages to a mailbox; returns their UIDs. */
  append(user: string, mailbox: string, messages: Array<string | Buffer>): Promise<number[]>;
  /** The mailbox's UIDVALIDITY, as SELECT reports it. */
  uidValidity(user: string, mailbox: string): Promise<number>;
  /**
   * Deletes and creates the mailbox again, which gives it a new UIDVALIDITY; resolves with
   * the old and new values as the server reports them.
   */
  recreateMailbox(user: string, mailbox: string): Promise<{ before: number; after: number }>;
  /** CAPABILITY after login, upper case. */
  capabilities(user: string): Promise<string[]>;
  /** Stops and starts the server again on the same port, keeping all mail. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The core every server module gives; the rest is built on it here. */
interface ServerCore {
  host: string;
  port: number;
  addUser(user: string, password: string): Promise<void> | void;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const titles: Record<ImapServerKind, string> = {
  dovecot: 'Dovecot 2.3',
  cyrus: 'Cyrus 3.6',
  courier: 'Courier 5.0',
};

/** Server settings beyond the suites' defaults (the scale bench's). */
export interface ImapServerOptions {
  /**
   * Connections the server takes at once from 127.0.0.1: Dovecot's imap process_limit (100
   * by default) and mail_max_userip_connections (1,000), Cyrus's imapd maxchild (200),
   * Courier's -maxprocs and -maxperip (200).
   */
  maxConnections?: number;
  /** Dovecot only: its own options (say `withoutCapabilities: ['NOTIFY']`). */
  dovecot?: DovecotOptions;
}

/** Starts a throwaway server of `kind` with no users; rejects naming what is missing. */
export async function startImapServer(
  kind: ImapServerKind,
  options: ImapServerOptions = {},
): Promise<ImapTestServer> {
  const max = options.maxConnections;
  const dovecotOptions: DovecotOptions = {
    ...(max ? { maxUserIpConnections: max, imapProcessLimit: max } : {}),
    ...options.dovecot,
  };
  const core: ServerCore =
    kind === 'dovecot'
      ? await startDovecot({}, undefined, dovecotOptions)
      : kind === 'cyrus'
        ? await startCyrus({ maxChild: max })
        : await startCourier({ maxConnections: max });
  return wrap(kind, core);
}

function wrap(kind: ImapServerKind, core: ServerCore): ImapTestServer {
  const passwords = new Map<string, string>();
  const server: ImapTestServer = {
    kind,
    title: titles[kind],
    host: core.host,
    port: core.port,
    quirks: imapServerQuirks[kind],
    async addUser(user, password) {
      await core.addUser(user, password);
      passwords.set(user, password);
    },
    async withClient(user, fn) {
      const password = passwords.get(user);
      if (password === undefined) throw new Error(`${user} is no user of this ${kind}`);
      const client = new ImapFlow({
        host: core.host,
        port: core.port,
        secure: false,
        doSTARTTLS: false,
        auth: { user, pass: password },
        logger: false,
        disableAutoIdle: true,
        // Cyrus offers COMPRESS=DEFLATE; a test client gains nothing from it.
        disableCompression: true,
      });
      client.on('error', () => {});
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    async createMailbox(user, mailbox) {
      await server.withClient(user, async (client) => {
        const created = await client.mailboxCreate(mailbox);
        // imapflow puts the personal namespace's prefix in front of a name lacking it; the
        // suites name mailboxes as the server lists them (quirks.folder), so it must not.
        if (created.path !== mailbox) {
          throw new Error(`${kind} created ${created.path} for ${mailbox}`);
        }
      });
    },
    async deleteMailbox(user, mailbox) {
      await server.withClient(user, (client) => client.mailboxDelete(mailbox));
    },
    async append(user, mailbox, messages) {
      return server.withClient(user, async (client) => {
        const uids: number[] = [];
        for (const raw of messages) {
          const result = await client.append(mailbox, raw);
          if (!result || !result.uid) throw new Error(`APPEND to ${mailbox} returned no UID`);
          uids.push(result.uid);
        }
        return uids;
      });
    },
    async uidValidity(user, mailbox) {
      return server.withClient(user, async (client) => {
        const opened = await client.mailboxOpen(mailbox, { readOnly: true });
        return Number(opened.uidValidity);
      });
    },
    async recreateMailbox(user, mailbox) {
      const before = await server.uidValidity(user, mailbox);
      await server.deleteMailbox(user, mailbox);
      await server.createMailbox(user, mailbox);
      const after = await server.uidValidity(user, mailbox);
      return { before, after };
    },
    async capabilities(user) {
      return server.withClient(user, async (client) => [...client.capabilities.keys()]);
    },
    restart: () => core.restart(),
    stop: () => core.stop(),
  };
  return server;
}
