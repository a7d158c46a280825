/**
 * A throwaway Cyrus IMAP 3.6 for one test file: its own imapd.conf and cyrus.conf, sasldb
 * users, config directory and mail partition in a temp dir, listening on a free loopback port.
 * `cyrmaster` runs in the foreground in its own process group (stopping takes its imapd and
 * idled children too). Started as root it drops to the package's `cyrus` user by itself, so
 * everything it writes belongs to `cyrus`. Nothing of the system's Cyrus (/etc/imapd.conf,
 * /var/lib/cyrus, /run/cyrus) is read or written: every path is in imapd.conf.
 *
 * Debian's cyrus-imapd, courier-imap and dovecot-imapd conflict (all "Provides: imap-server"),
 * so only one of them can be installed: the Dovecot suites need dovecot-imapd, and the Cyrus
 * binaries (imapd, idled) are taken from the cyrus-imapd .deb unpacked with `dpkg-deb -x`
 * under /opt/tidings-test-servers/cyrus-imapd (CYRUS_BIN_DIR overrides). cyrmaster,
 * ctl_cyrusdb and the `cyrus` user come from cyrus-common, saslpasswd2 from sasl2-bin, which
 * conflict with nothing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, launchOnFreePort, waitForGreeting } from './net.js';

/** Where imapd and idled are: an installed cyrus-imapd, else the unpacked .deb. */
export function cyrusBinDir(): string {
  if (process.env.CYRUS_BIN_DIR) return process.env.CYRUS_BIN_DIR;
  const installed = '/usr/lib/cyrus/bin';
  if (existsSync(path.join(installed, 'imapd'))) return installed;
  return '/opt/tidings-test-servers/cyrus-imapd/usr/lib/cyrus/bin';
}

const CYRMASTER = '/usr/sbin/cyrmaster';
const CTL_CYRUSDB = '/usr/lib/cyrus/bin/ctl_cyrusdb';
const SASLPASSWD2 = '/usr/sbin/saslpasswd2';

/** What is missing to run Cyrus here, or undefined. */
export function cyrusMissing(): string | undefined {
  const bin = cyrusBinDir();
  const needs: Array<[string, string]> = [
    [CYRMASTER, 'cyrus-common'],
    [CTL_CYRUSDB, 'cyrus-common'],
    [SASLPASSWD2, 'sasl2-bin'],
    [path.join(bin, 'imapd'), 'cyrus-imapd (unpacked with dpkg-deb -x)'],
    [path.join(bin, 'idled'), 'cyrus-imapd (unpacked with dpkg-deb -x)'],
  ];
  const absent = needs.filter(([file]) => !existsSync(file));
  if (!absent.length) return undefined;
  return absent.map(([file, pkg]) => `no ${file} (from ${pkg})`).join('; ');
}

/** A running throwaway Cyrus. */
export interface Cyrus {
  host: string;
  port: number;
  dir: string;
  /** Adds a sasldb user and creates its INBOX (as the admin); it can log in at once. */
  addUser(user: string, password: string): Promise<void>;
  /** Stops and starts the server again on the same port, keeping all mail. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const ADMIN = 'cyrusadmin';
const ADMIN_PASSWORD = 'admin-secret';

/** Server settings a caller may change. */
export interface CyrusOptions {
  /** The imap service's maxchild: imapd processes, so connections at once (200 by default). */
  maxChild?: number;
}

/** Starts a Cyrus with no users yet. */
export async function startCyrus(options: CyrusOptions = {}): Promise<Cyrus> {
  const missing = cyrusMissing();
  if (missing) throw new Error(`Cyrus cannot run here: ${missing}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-cyrus-'));
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const conf = path.join(dir, 'conf');
  const partition = path.join(dir, 'partition');
  const sasldb = path.join(dir, 'sasldb2');
  for (const sub of [conf, path.join(conf, 'socket'), partition]) mkdirSync(sub);
  const imapdConf = path.join(dir, 'imapd.conf');
  const cyrusConf = path.join(dir, 'cyrus.conf');
  const pidFile = path.join(dir, 'master.pid');
  const bin = cyrusBinDir();
  const own = (file: string) => {
    if (asRoot) chownSync(file, uidOf('cyrus'), gidOf('cyrus'));
  };

  writeFileSync(
    imapdConf,
    [
      `configdirectory: ${conf}`,
      'defaultpartition: default',
      `partition-default: ${partition}`,
      `admins: ${ADMIN}`,
      // Cyrus 3's own default (and Fastmail's): folders sit beside INBOX, not under it.
      'altnamespace: yes',
      'unixhierarchysep: yes',
      'allowplaintext: yes',
      'sasl_mech_list: PLAIN LOGIN',
      'sasl_pwcheck_method: auxprop',
      'sasl_auxprop_plugin: sasldb',
      `sasl_sasldb_path: ${sasldb}`,
      // A deleted mailbox is gone at once (3.6 keeps it under DELETED.* by default).
      'delete_mode: immediate',
      `idlesocket: ${conf}/socket/idle`,
      `lmtpsocket: ${conf}/socket/lmtp`,
      `notifysocket: ${conf}/socket/notify`,
      'syslog_prefix: tidings-cyrus',
      '',
    ].join('\n'),
  );
  // An empty sasldb with the admin, readable by cyrus.
  setPassword(sasldb, ADMIN, ADMIN_PASSWORD);
  for (const file of [conf, path.join(conf, 'socket'), partition, sasldb]) own(file);

  let port = 0;
  const configure = async () => {
    port = await freePort();
    // idled in DAEMON: without it Cyrus 3.6 answers IDLE by polling the mailbox every
    // `imapidlepoll` (60 s by default); with it, imapd is told of a change at once.
    writeFileSync(
      cyrusConf,
      `START {
  recover cmd="${CTL_CYRUSDB} -C ${imapdConf} -r"
}
SERVICES {
  imap cmd="${bin}/imapd -C ${imapdConf}" listen="127.0.0.1:${port}" prefork=0 maxchild=${options.maxChild ?? 200}
}
DAEMON {
  idled cmd="${bin}/idled -C ${imapdConf}"
}
`,
    );
  };

  let child: ChildProcess | undefined;
  const launch = async () => {
    const proc = spawn(CYRMASTER, ['-C', imapdConf, '-M', cyrusConf, '-D', '-p', pidFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = proc;
    await waitForGreeting('127.0.0.1', port, 10_000).catch(async (error: unknown) => {
      await halt();
      throw new Error(`Cyrus did not start: ${String(error)}\n${output}`);
    });
  };
  const halt = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
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
    // imapd children that outlived their master (a restart must drop clients as a real one does).
    signalGroup('SIGKILL');
  };

  const server: Cyrus = {
    host: '127.0.0.1',
    port,
    dir,
    async addUser(user, password) {
      setPassword(sasldb, user, password);
      own(sasldb);
      // A user's INBOX is the admin's "user/NAME" (unixhierarchysep): Cyrus has no mailbox
      // for a user until an admin creates it.
      await adminCommands(port, [`CREATE user/${user}`]);
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
  try {
    await launchOnFreePort(configure, launch, { attempts: 3 });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  server.port = port;
  return server;
}

function setPassword(sasldb: string, user: string, password: string): void {
  // -p: the password from stdin, no confirmation; -c: create the user.
  execFileSync(SASLPASSWD2, ['-p', '-c', '-f', sasldb, user], { input: password });
}

/**
 * Runs IMAP commands as the Cyrus admin over a plain socket, each to its tagged OK. imapflow
 * is not used for the admin: its CREATE prefixes the personal namespace, which the admin (no
 * INBOX) must not get.
 */
async function adminCommands(port: number, commands: string[]): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setTimeout(10_000, () => socket.destroy(new Error('Cyrus admin session timed out')));
  let buffer = '';
  let waiter: ((text: string) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('Cyrus closed the admin session')));
  });
  failed.catch(() => {});
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    waiter?.(buffer);
  });
  const until = (pattern: RegExp) =>
    Promise.race([
      failed,
      new Promise<string>((resolve) => {
        const check = (text: string) => {
          const match = pattern.exec(text);
          if (!match) return;
          waiter = undefined;
          buffer = '';
          resolve(match[0]);
        };
        waiter = check;
        check(buffer);
      }),
    ]);
  try {
    await until(/^\* OK.*\r\n/m);
    const all = [`LOGIN ${ADMIN} ${ADMIN_PASSWORD}`, ...commands];
    for (const [index, command] of all.entries()) {
      const tag = `A${index}`;
      socket.write(`${tag} ${command}\r\n`);
      const answer = await until(new RegExp(`^${tag} (OK|NO|BAD).*\\r\\n`, 'm'));
      if (!answer.startsWith(`${tag} OK`)) {
        throw new Error(`Cyrus refused "${command.split(' ')[0]}": ${answer.trim()}`);
      }
    }
    socket.write('Z LOGOUT\r\n');
  } finally {
    socket.destroy();
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
