/**
 * A throwaway Courier-IMAP 5.0 for one test file: couriertcpd running imaplogin → imapd on a
 * free loopback port, its own authdaemond with a userdb, and Maildir++ stores in a temp dir.
 *
 * Courier's paths are compiled in: authdaemond reads /etc/courier/authdaemonrc, the userdb
 * module /etc/courier/userdb.dat, and imaplogin asks authdaemond on
 * /run/courier/authdaemon/socket (no option moves them). So the instance runs in a private
 * mount namespace (`unshare --mount`, as root) where the temp dir's etc/ and run/ are bound
 * over /etc/courier and /run/courier: the machine's files are never touched and a system
 * authdaemond, if one runs, is never asked. All of it (the namespace's shell, authdaemond,
 * couriertcpd and its imapd children) is one process group, stopped together.
 *
 * IDLE: imapd watches the Maildir through FAM, which Debian's courier-imap gets from gamin
 * (IMAP_ENHANCEDIDLE=1 with IMAP_USELOCKS=1). Without FAM, IDLE is a poll every
 * IMAP_IDLE_TIMEOUT seconds (60 by default). libgamin starts a gam_server for the mail user
 * that leaves our process group (it calls setsid) and lingers: stop() ends the ones that run
 * in this instance's mount namespace, and only those.
 *
 * The courier-imap package conflicts with dovecot-imapd (both "Provides: imap-server"), so
 * its imaplogin and imapd come from the .deb unpacked with `dpkg-deb -x` under
 * /opt/tidings-test-servers/courier-imap (COURIER_IMAP_DIR overrides); courier-base (couriertcpd),
 * courier-authdaemon, courier-authlib-userdb and gamin install normally.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, launchOnFreePort, waitForGreeting } from './net.js';

/** The root of courier-imap's files: installed (/) or the unpacked .deb. */
export function courierImapDir(): string {
  if (process.env.COURIER_IMAP_DIR) return process.env.COURIER_IMAP_DIR;
  if (existsSync('/usr/lib/courier/courier/imaplogin')) return '/';
  return '/opt/tidings-test-servers/courier-imap';
}

const COURIERTCPD = '/usr/sbin/couriertcpd';
const AUTHDAEMOND = '/usr/lib/courier/courier-authlib/authdaemond';
const MAKEUSERDB = '/usr/sbin/makeuserdb';
const USERDB_MODULE = '/usr/lib/courier-authlib/libauthuserdb.so';
const GAM_SERVER = '/usr/libexec/gam_server';

/** What is missing to run Courier here, or undefined. */
export function courierMissing(): string | undefined {
  const root = courierImapDir();
  const needs: Array<[string, string]> = [
    [COURIERTCPD, 'courier-base'],
    [AUTHDAEMOND, 'courier-authdaemon'],
    [MAKEUSERDB, 'courier-authlib-userdb'],
    [USERDB_MODULE, 'courier-authlib-userdb'],
    [GAM_SERVER, 'gamin'],
    [
      path.join(root, 'usr/lib/courier/courier/imaplogin'),
      'courier-imap (unpacked with dpkg-deb -x)',
    ],
    [path.join(root, 'usr/bin/imapd'), 'courier-imap (unpacked with dpkg-deb -x)'],
    ['/usr/bin/unshare', 'util-linux'],
  ];
  const absent = needs.filter(([file]) => !existsSync(file));
  if (process.getuid?.() !== 0) return 'Courier needs root here (its private mount namespace)';
  if (!absent.length) return undefined;
  return absent.map(([file, pkg]) => `no ${file} (from ${pkg})`).join('; ');
}

/** A running throwaway Courier. */
export interface Courier {
  host: string;
  port: number;
  dir: string;
  /** Adds a userdb user with an empty Maildir; it can log in at once. */
  addUser(user: string, password: string): Promise<void>;
  /** Stops and starts the server again on the same port, keeping all mail. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Server settings a caller may change. */
export interface CourierOptions {
  /** couriertcpd's -maxprocs and -maxperip: connections at once (200 by default). */
  maxConnections?: number;
}

/** Starts a Courier with no users yet. */
export async function startCourier(options: CourierOptions = {}): Promise<Courier> {
  const missing = courierMissing();
  if (missing) throw new Error(`Courier cannot run here: ${missing}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-courier-'));
  chmodSync(dir, 0o755);
  const etc = path.join(dir, 'etc');
  const run = path.join(dir, 'run');
  const mail = path.join(dir, 'mail');
  for (const sub of [etc, run, path.join(run, 'authdaemon'), mail]) mkdirSync(sub);
  chmodSync(mail, 0o755);
  const mailUid = idOf('-u', 'courier');
  const mailGid = idOf('-g', 'courier');
  writeFileSync(
    path.join(etc, 'authdaemonrc'),
    [
      'authmodulelist="authuserdb"',
      'authmodulelistorig="authuserdb"',
      'daemons=2',
      'authdaemonvar=/run/courier/authdaemon',
      'DEBUG_LOGIN=0',
      'DEFAULTOPTIONS=""',
      'LOGGEROPTS=""',
      '',
    ].join('\n'),
  );
  const userdb = path.join(etc, 'userdb');
  writeFileSync(userdb, '', { mode: 0o600 });
  execFileSync(MAKEUSERDB, ['-f', userdb]);
  const root = courierImapDir();
  const script = path.join(dir, 'run.sh');
  const maxConnections = options.maxConnections ?? 200;

  let port = 0;
  const configure = async () => {
    port = await freePort();
    // What /usr/lib/courier/imapd's "start" does with /etc/courier/imapd, minus the logger and
    // the access file; IMAP_CAPABILITY as Debian's default without TLS (no AUTH=: LOGIN only).
    writeFileSync(
      script,
      `set -e
mount --bind ${etc} /etc/courier
mount --bind ${run} /run/courier
${AUTHDAEMOND} &
exec env -i PATH=/usr/bin:/bin:/usr/sbin:/usr/lib/courier/courier \\
  IMAP_CAPABILITY="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE" \\
  IMAP_KEYWORDS=1 IMAP_ACL=1 IMAP_IDLE_TIMEOUT=60 IMAP_ENHANCEDIDLE=1 IMAP_USELOCKS=1 \\
  IMAP_MAILBOX_SANITY_CHECK=1 IMAP_UMASK=022 IMAP_TRASHFOLDERNAME=Trash IMAP_EMPTYTRASH= \\
  ${COURIERTCPD} -address=127.0.0.1 -maxprocs=${maxConnections} -maxperip=${maxConnections} -nodnslookup -noidentlookup \\
  -stderr=${path.join(dir, 'imapd.log')} ${port} ${path.join(root, 'usr/lib/courier/courier/imaplogin')} \\
  ${path.join(root, 'usr/bin/imapd')} Maildir
`,
    );
  };

  let child: ChildProcess | undefined;
  let namespace: string | undefined;
  const launch = async () => {
    const proc = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = proc;
    await waitForGreeting('127.0.0.1', port, 10_000).catch(async (error: unknown) => {
      await halt();
      throw new Error(`Courier did not start: ${String(error)}\n${output}`);
    });
    namespace = mountNamespace(proc.pid);
  };
  const halt = async () => {
    const proc = child;
    child = undefined;
    const ns = namespace;
    namespace = undefined;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
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
    }
    if (ns) killGamServers(ns);
  };

  const server: Courier = {
    host: '127.0.0.1',
    port,
    dir,
    async addUser(user, password) {
      const home = path.join(mail, user);
      mkdirSync(home);
      // Maildir++: the INBOX is Maildir/{cur,new,tmp}, folders are Maildir/.Name.
      for (const sub of ['', 'cur', 'new', 'tmp']) mkdirSync(path.join(home, 'Maildir', sub));
      for (const sub of ['', 'Maildir', 'Maildir/cur', 'Maildir/new', 'Maildir/tmp']) {
        chownSync(path.join(home, sub), mailUid, mailGid);
        chmodSync(path.join(home, sub), 0o700);
      }
      // systempw takes a crypt(3) hash; authuserdb reopens userdb.dat when it changes.
      const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: password })
        .toString()
        .trim();
      appendFileSync(
        userdb,
        `${user}\tuid=${mailUid}|gid=${mailGid}|home=${home}|mail=${path.join(home, 'Maildir')}|systempw=${hash}\n`,
      );
      execFileSync(MAKEUSERDB, ['-f', userdb]);
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

function mountNamespace(pid: number | undefined): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/** Ends the gam_servers that run in mount namespace `ns`: ours, started by our imapd. */
function killGamServers(ns: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'gam_server') continue;
      if (readlinkSync(`/proc/${entry}/ns/mnt`) !== ns) continue;
      process.kill(Number(entry), 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

function idOf(flag: '-u' | '-g', user: string): number {
  try {
    return Number(execFileSync('id', [flag, user]).toString().trim());
  } catch {
    throw new Error(`system user ${user} not found (is courier-base installed?)`);
  }
}
