/**
 * A throwaway Dovecot for one test file: its own config, passwd-file users and maildirs in a
 * temp dir, listening on a free loopback port. As root Dovecot needs its own unprivileged
 * users (`dovecot`, `dovenull`) and mail may not belong to root; otherwise everything runs as
 * the current user. Mail is delivered with APPEND, as a real sender's server would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort, launchOnFreePort, waitForGreeting } from './net.js';

/** A running throwaway Dovecot. */
export interface Dovecot {
  host: string;
  port: number;
  /** Implicit TLS port (0 without TLS). */
  tlsPort: number;
  dir: string;
  /** The Maildir that holds `user`'s INBOX (mail_location below): cur/, new/, tmp/. */
  maildir(user: string): string;
  /** Adds a user; it can log in at once. */
  addUser(user: string, password: string): void;
  /** Runs `fn` with a logged-in IMAP client of `user`, then logs out. */
  withClient<T>(user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** APPENDs raw messages (bytes as given) to a mailbox; returns their UIDs. */
  append(
    user: string,
    mailbox: string,
    messages: Array<string | Buffer>,
    flags?: string[],
  ): Promise<number[]>;
  /** Resolves once the server's log has a line matching `pattern` (it is written a moment late). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Stops and starts the server again on the same port, keeping all mail. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const DOVECOT = process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot';

/** TLS for a test server: STARTTLS on the plain port, implicit TLS on `tlsPort`. */
export interface DovecotTls {
  cert: string;
  key: string;
}

/** Server settings a test may change. */
export interface DovecotOptions {
  /** Dovecot's mail_max_userip_connections; generous by default for many-mailbox runs. */
  maxUserIpConnections?: number;
  /**
   * The imap service's process_limit: connections at once in all, one imap process each
   * (Dovecot's default_process_limit, 100, when not given).
   */
  imapProcessLimit?: number;
  /** Where the server's temp dir goes (e.g. a tmpfs for tests that write much mail). */
  parentDir?: string;
  /** Dovecot's auth_mechanisms ("plain login" by default), which decides the AUTH= offered. */
  authMechanisms?: string;
  /** Also listen on the IPv6 loopback, [::1]. */
  ipv6?: boolean;
  /**
   * OAuth2 logins (XOAUTH2, OAUTHBEARER) checked by Dovecot's oauth2 passdb against this
   * RFC 7662 introspection endpoint (an IP address: Dovecot's HTTP client resolves no names
   * we control). PLAIN and LOGIN keep working through the passwd-file passdb, so tests APPEND.
   */
  oauth2?: { introspectionUrl: string };
  /** Capabilities the server leaves out after login (e.g. NOTIFY, for the IDLE fallback). */
  withoutCapabilities?: string[];
  /**
   * How imap-login serves connections: `high-security` (Dovecot's default: a new login
   * process per connection) or `high-performance` (`service_count = 0`: a few long-lived
   * login processes take them all, as Dovecot's docs advise for busy servers). The scale
   * bench uses it to tell the server's fork per login apart from Tidings' own start.
   */
  loginMode?: 'high-security' | 'high-performance';
  /**
   * SPECIAL-USE (RFC 6154) attributes by mailbox name (`{ Bin: '\\Trash' }`): the mailboxes
   * are created with each user's mail and LIST marks them.
   */
  specialUse?: Record<string, string>;
}

/** What Dovecot 2.3.19 announces after login here; `imap_capability` replaces the whole list. */
const LOGGED_IN_CAPABILITIES =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES ' +
  'THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN ' +
  'NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES ' +
  'WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW ' +
  'STATUS=SIZE SAVEDATE LITERAL+ NOTIFY';

/** Starts a Dovecot with the given users (name → password). */
export async function startDovecot(
  users: Record<string, string> = {},
  tls?: DovecotTls,
  options: DovecotOptions = {},
): Promise<Dovecot> {
  const dir = mkdtempSync(path.join(options.parentDir ?? tmpdir(), 'tidings-dovecot-'));
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const mailOwner = asRoot ? 'dovecot' : userInfo().username;
  for (const sub of ['run', 'state', 'mail', 'users']) mkdirSync(path.join(dir, sub));
  if (asRoot) chownSync(path.join(dir, 'mail'), uidOf('dovecot'), gidOf('dovecot'));
  const usersDir = path.join(dir, 'users');
  const config = path.join(dir, 'dovecot.conf');
  // Picks free ports and writes the config; ports can be taken between our check and
  // Dovecot's bind (other suites run in parallel), so the first launch retries on a clash.
  let port = 0;
  let tlsPort = 0;
  const configure = async () => {
    port = await freePort();
    tlsPort = tls ? await freePort() : 0;
    writeFileSync(
      config,
      renderConfig({
        dir,
        port,
        tlsPort,
        tls,
        usersDir,
        mailOwner,
        asRoot,
        maxConnections: options.maxUserIpConnections ?? 1000,
        imapProcessLimit: options.imapProcessLimit,
        loginMode: options.loginMode ?? 'high-security',
        specialUse: options.specialUse,
        authMechanisms: `${options.authMechanisms ?? 'plain login'}${options.oauth2 ? ' xoauth2 oauthbearer' : ''}`,
        oauth2: options.oauth2 && writeOAuth2Config(dir, options.oauth2.introspectionUrl),
        addresses: options.ipv6 ? '127.0.0.1, ::1' : '127.0.0.1',
        capabilities: options.withoutCapabilities
          ? LOGGED_IN_CAPABILITIES.split(' ')
              .filter((c) => !options.withoutCapabilities?.includes(c))
              .join(' ')
          : undefined,
      }),
    );
  };
  const passwords = new Map<string, string>();

  let child: ChildProcess | undefined;
  const launch = async () => {
    // Its own process group, so that stopping takes the per-connection imap processes too
    // (they outlive a master stopped alone, and a restart must drop clients as a real one does).
    const proc = spawn(DOVECOT, ['-F', '-c', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = proc;
    await waitForGreeting('127.0.0.1', port, 10_000).catch((error: unknown) => {
      proc.kill('SIGKILL');
      throw new Error(`Dovecot did not start: ${String(error)}\n${stderr}`);
    });
  };
  const halt = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-(proc.pid ?? 0), signal);
      } catch {
        // Already gone.
      }
    };
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    signalGroup('SIGKILL');
  };

  const server: Dovecot = {
    host: '127.0.0.1',
    port,
    tlsPort,
    dir,
    maildir: (user) => path.join(dir, 'mail', user),
    addUser(user, password) {
      passwords.set(user, password);
      // One passwd-file per user: Dovecot re-stats a passwd-file at most once a second, so a
      // user appended to a shared file right after a login would stay unknown for a while.
      // The password goes base64-encoded ({PLAIN.b64}): passwd-file fields end at ':' and
      // lines at '\n', so a password with either (or any byte) survives only encoded.
      const encoded = Buffer.from(password, 'utf8').toString('base64');
      writeFileSync(path.join(usersDir, user), `${user}:{PLAIN.b64}${encoded}::::::\n`);
    },
    async withClient(user, fn) {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: false,
        doSTARTTLS: false,
        auth: { user, pass: passwords.get(user) ?? '' },
        logger: false,
        disableAutoIdle: true,
      });
      client.on('error', () => {});
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    async append(user, mailbox, messages, flags = []) {
      return server.withClient(user, async (client) => {
        const uids: number[] = [];
        for (const raw of messages) {
          const result = await client.append(mailbox, raw, flags);
          if (!result || !result.uid) throw new Error(`APPEND to ${mailbox} returned no UID`);
          uids.push(result.uid);
        }
        return uids;
      });
    },
    async waitForLog(pattern, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = readFileSync(path.join(dir, 'dovecot.log'), 'utf8')
          .split('\n')
          .find((entry) => pattern.test(entry));
        if (line) return line;
        if (Date.now() > deadline) throw new Error(`Dovecot never logged ${pattern}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [user, password] of Object.entries(users)) server.addUser(user, password);
  await launchOnFreePort(configure, launch, {
    attempts: 5,
    retry: (error) => /Address already in use/.test(String(error)),
  });
  Object.assign(server, { port, tlsPort });
  return server;
}

function renderConfig(o: {
  dir: string;
  port: number;
  tlsPort: number;
  tls: DovecotTls | undefined;
  maxConnections: number;
  imapProcessLimit: number | undefined;
  loginMode: 'high-security' | 'high-performance';
  authMechanisms: string;
  /** The addresses Dovecot listens on, comma-separated. */
  addresses: string;
  usersDir: string;
  mailOwner: string;
  asRoot: boolean;
  /** The oauth2 passdb's config file, if OAuth2 logins are on. */
  oauth2: string | undefined;
  /** `imap_capability`: what is announced after login, when not Dovecot's own list. */
  capabilities: string | undefined;
  specialUse: Record<string, string> | undefined;
}): string {
  const me = userInfo().username;
  return `
protocols = imap
listen = ${o.addresses}
base_dir = ${o.dir}/run
state_dir = ${o.dir}/state
log_path = ${o.dir}/dovecot.log
${o.tls ? `ssl = yes\nssl_cert = <${o.tls.cert}\nssl_key = <${o.tls.key}` : 'ssl = no'}
disable_plaintext_auth = no
auth_mechanisms = ${o.authMechanisms}
# No 2 s pause before answering a failed login.
auth_failure_delay = 0
default_internal_user = ${o.asRoot ? 'dovecot' : me}
default_internal_group = ${o.asRoot ? 'dovecot' : userInfo().gid}
default_login_user = ${o.asRoot ? 'dovenull' : me}
first_valid_uid = 1
mail_location = maildir:${o.dir}/mail/%u
mail_fsync = never
# Many watchers per user from one address in the multi-mailbox tests.
mail_max_userip_connections = ${o.maxConnections}
${
  o.specialUse
    ? `namespace inbox {
  inbox = yes
${Object.entries(o.specialUse)
  .map(([name, use]) => `  mailbox "${name}" {\n    auto = create\n    special_use = ${use}\n  }`)
  .join('\n')}
}
`
    : ''
}${
    o.capabilities
      ? `protocol imap {
  imap_capability = ${o.capabilities}
}
`
      : ''
  }passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${o.usersDir}/%u
${o.oauth2 ? '  mechanisms = plain login\n' : ''}}
${
  o.oauth2
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${o.oauth2}
}
`
    : ''
}userdb {
  driver = static
  args = uid=${o.mailOwner} gid=${o.asRoot ? 'dovecot' : userInfo().gid} home=${o.dir}/mail/%u
}
service imap-login {
  chroot =
${o.loginMode === 'high-performance' ? '  service_count = 0\n  process_min_avail = 2\n' : ''}  inet_listener imap {
    address = ${o.addresses}
    port = ${o.port}
  }
  inet_listener imaps {
    address = ${o.addresses}
    port = ${o.tlsPort}
    ssl = ${o.tls ? 'yes' : 'no'}
  }
}
service anvil {
  chroot =
  # Disables the per-IP auth penalty (Dovecot's documented switch): after the wrong-password
  # tests, anvil would delay every later login from 127.0.0.1 by up to 15 s.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

// Dovecot's oauth2 passdb (2.3): every XOAUTH2/OAUTHBEARER token is POSTed to the
// introspection endpoint; a login passes when it answers active with the login's username.
function writeOAuth2Config(dir: string, introspectionUrl: string): string {
  const file = path.join(dir, 'dovecot-oauth2.conf.ext');
  writeFileSync(
    file,
    [
      'introspection_mode = post',
      `introspection_url = ${introspectionUrl}`,
      'username_attribute = username',
      'active_attribute = active',
      'active_value = true',
      '',
    ].join('\n'),
  );
  return file;
}

function uidOf(user: string): number {
  return Number(systemUserField(user, 2));
}

function gidOf(user: string): number {
  return Number(systemUserField(user, 3));
}

function systemUserField(user: string, field: number): string {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.split(':')[0] === user);
  if (!line) throw new Error(`system user ${user} not found (is dovecot-imapd installed?)`);
  return line.split(':')[field] ?? '';
}
