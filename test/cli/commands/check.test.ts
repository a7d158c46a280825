/**
 * `tidings check` end to end: the compiled CLI against real servers on loopback. One Dovecot
 * with a certificate from the test CA (implicit TLS and STARTTLS), one with a self-signed
 * certificate, a closed port, a name under .invalid, and a listener that accepts and never
 * answers (a blackhole). Passwords come through the same sources as `tidings watch`.
 */
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../../support/certificates.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { freePort } from '../../support/net.js';
import { runCli, startCli } from '../../support/run-cli.js';
import { writeConfig } from '../../support/watch-process.js';

let certs: TestCertificates;
let dovecot: Dovecot;
let selfSigned: Dovecot;
const USER = 'ann';
const PASSWORD = 'correct horse';

beforeAll(async () => {
  certs = makeTestCertificates();
  [dovecot, selfSigned] = await Promise.all([
    startDovecot({}, { cert: certs.good.cert, key: certs.good.key }),
    startDovecot({}, { cert: certs.selfSigned.cert, key: certs.selfSigned.key }),
  ]);
  for (const server of [dovecot, selfSigned]) server.addUser(USER, PASSWORD);
  await dovecot.withClient(USER, (client) => client.mailboxCreate('Work'));
});
afterAll(async () => {
  await Promise.all([dovecot?.stop(), selfSigned?.stop()]);
});

/** An account on the CA-signed Dovecot over implicit TLS, its password from a command. */
function implicitAccount(overrides: Record<string, unknown> = {}) {
  return {
    id: 'work',
    host: 'localhost',
    port: dovecot.tlsPort,
    tls: 'implicit',
    user: USER,
    passwordCommand: `echo '${PASSWORD}'`,
    caFile: certs.caFile,
    mailboxes: ['INBOX', 'Work'],
    ...overrides,
  };
}

/** The same server over STARTTLS, its password from an environment variable. */
function starttlsAccount(overrides: Record<string, unknown> = {}) {
  return {
    id: 'home',
    host: '127.0.0.1',
    port: dovecot.port,
    tls: 'starttls',
    user: USER,
    passwordEnv: 'CHECK_TEST_PASSWORD',
    caFile: certs.caFile,
    ...overrides,
  };
}

interface Row {
  account: string;
  step: string;
  result: string;
  detail: string;
  /** The lines under the row (the certificate). */
  more: string[];
}

/** The table's rows; the header, blank line and verdict are not rows. */
function parseTable(stdout: string): Row[] {
  const rows: Row[] = [];
  for (const line of stdout.split('\n').slice(1)) {
    const match = /^(\S+) +(\S+(?: \S+)?) +(ok|FAILED|skipped)(?: +(.*))?$/.exec(line);
    if (match) {
      rows.push({
        account: match[1] ?? '',
        step: match[2] ?? '',
        result: match[3] ?? '',
        detail: match[4] ?? '',
        more: [],
      });
    } else if (/^ {10,}\S/.test(line)) rows.at(-1)?.more.push(line.trim());
  }
  return rows;
}

function stepsOf(rows: Row[], account: string): string[] {
  return rows.filter((row) => row.account === account).map((row) => `${row.step}: ${row.result}`);
}

function rowOf(rows: Row[], account: string, step: string): Row {
  const row = rows.find((candidate) => candidate.account === account && candidate.step === step);
  if (!row) throw new Error(`no row ${account} ${step} in the table`);
  return row;
}

async function check(
  config: unknown,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-check-state-')),
) {
  const run = await runCli(
    ['check', '--config', writeConfig(config), '--state-dir', stateDir, ...args],
    { CHECK_TEST_PASSWORD: PASSWORD, ...env },
  );
  return {
    ...run,
    rows: parseTable(run.stdout),
    lastLine: run.stdout.trimEnd().split('\n').at(-1),
  };
}

/** Waits for `condition`, failing the test naming `what` after 10 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 10_000) throw new Error(`waited 10 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether a process still runs; a zombie counts as gone (here PID 1 may never reap it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  if (process.platform !== 'linux') return true;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

const ALL_OK = (mailboxes: string[]) => [
  'settings: ok',
  'dns: ok',
  'tcp: ok',
  'tls: ok',
  'login: ok',
  ...mailboxes.map((mailbox) => `mailbox ${mailbox}: ok`),
];

describe('tidings check', () => {
  it('passes every step of an implicit TLS and a STARTTLS account, shows each certificate, and exits 0', async () => {
    const run = await check({ accounts: [implicitAccount(), starttlsAccount()] });
    expect(run.code, run.stderr).toBe(0);
    expect(stepsOf(run.rows, 'work')).toEqual(ALL_OK(['INBOX', 'Work']));
    expect(stepsOf(run.rows, 'home')).toEqual(ALL_OK(['INBOX']));
    expect(rowOf(run.rows, 'work', 'settings').detail).toBe(
      `localhost:${dovecot.tlsPort} (TLS), as in the config`,
    );
    // /etc/hosts may list ::1 too; Dovecot listens on 127.0.0.1, which TCP then reaches.
    expect(rowOf(run.rows, 'work', 'dns').detail).toMatch(/^localhost → (.*, )?127\.0\.0\.1(,|$)/);
    expect(rowOf(run.rows, 'work', 'tcp').detail).toBe(
      `connected to 127.0.0.1 port ${dovecot.tlsPort}`,
    );
    expect(rowOf(run.rows, 'work', 'tls').detail).toMatch(
      /^implicit TLS, TLSv1\.[23], certificate trusted$/,
    );
    expect(rowOf(run.rows, 'home', 'tls').detail).toMatch(
      /^STARTTLS, TLSv1\.[23], certificate trusted$/,
    );
    for (const account of ['work', 'home']) {
      const tls = rowOf(run.rows, account, 'tls');
      expect(tls.more[0]).toBe(`SHA-256 ${certs.good.fingerprint256}`);
      expect(tls.more[1]).toBe('subject CN=good; issuer CN=Tidings Test CA');
      expect(tls.more[2]).toMatch(/^valid \d{4}-\d\d-\d\dT\S+Z to \d{4}-\d\d-\d\dT\S+Z$/);
    }
    expect(rowOf(run.rows, 'work', 'login').detail).toBe(`logged in as ${USER} (password)`);
    expect(rowOf(run.rows, 'work', 'mailbox Work').detail).toBe('exists (EXAMINE: 0 messages)');
    expect(run.lastLine).toBe('All checks passed (2 accounts).');
  });

  it('fails the login step of a wrong password as auth-failed, skips the mailboxes, and exits 1', async () => {
    const run = await check(
      { accounts: [starttlsAccount({ passwordEnv: 'WRONG_PASSWORD' })] },
      [],
      {
        WRONG_PASSWORD: 'battery staple',
      },
    );
    expect(run.code).toBe(1);
    expect(stepsOf(run.rows, 'home')).toEqual([
      'settings: ok',
      'dns: ok',
      'tcp: ok',
      'tls: ok',
      'login: FAILED',
      'mailbox INBOX: skipped',
    ]);
    expect(rowOf(run.rows, 'home', 'login').detail).toMatch(/^auth-failed: login rejected: /);
    expect(rowOf(run.rows, 'home', 'mailbox INBOX').detail).toBe('login failed');
    expect(run.lastLine).toBe('FAILED: home at login (0 of 1 account passed).');
    expect(run.stdout + run.stderr).not.toContain('battery staple');
  });

  it('fails the row of a watched mailbox the server does not have, and still checks the others', async () => {
    const run = await check({
      accounts: [implicitAccount({ mailboxes: ['INBOX', 'Missing', 'Work'] })],
    });
    expect(run.code).toBe(1);
    expect(stepsOf(run.rows, 'work').slice(4)).toEqual([
      'login: ok',
      'mailbox INBOX: ok',
      'mailbox Missing: FAILED',
      'mailbox Work: ok',
    ]);
    expect(rowOf(run.rows, 'work', 'mailbox Missing').detail).toMatch(
      /^mailbox not found: Missing/,
    );
    expect(run.lastLine).toBe('FAILED: work at mailbox Missing (0 of 1 account passed).');
  });

  it('fails the DNS step of a host that does not exist (RFC 2606 .invalid), naming it', async () => {
    const run = await check({ accounts: [implicitAccount({ host: 'imap.nowhere.invalid' })] });
    expect(run.code).toBe(1);
    expect(stepsOf(run.rows, 'work')).toEqual([
      'settings: ok',
      'dns: FAILED',
      'tcp: skipped',
      'tls: skipped',
      'login: skipped',
      'mailbox INBOX: skipped',
      'mailbox Work: skipped',
    ]);
    expect(rowOf(run.rows, 'work', 'dns').detail).toContain('imap.nowhere.invalid');
    expect(rowOf(run.rows, 'work', 'dns').detail).toMatch(/^host name not found \(DNS\)/);
    expect(rowOf(run.rows, 'work', 'tcp').detail).toBe('dns failed');
  });

  it('fails the TCP step of a closed port as refused', async () => {
    const closed = await freePort();
    const run = await check({ accounts: [implicitAccount({ host: '127.0.0.1', port: closed })] });
    expect(run.code).toBe(1);
    expect(stepsOf(run.rows, 'work').slice(0, 4)).toEqual([
      'settings: ok',
      'dns: ok',
      'tcp: FAILED',
      'tls: skipped',
    ]);
    expect(rowOf(run.rows, 'work', 'tcp').detail).toBe(`connection refused (127.0.0.1:${closed})`);
  });

  it('fails the TLS step of an untrusted self-signed certificate, showing its fingerprint to pin', async () => {
    const account = implicitAccount({ host: '127.0.0.1', port: selfSigned.tlsPort });
    const run = await check({ accounts: [account] });
    expect(run.code).toBe(1);
    expect(stepsOf(run.rows, 'work').slice(3, 5)).toEqual(['tls: FAILED', 'login: skipped']);
    const tls = rowOf(run.rows, 'work', 'tls');
    expect(tls.detail).toBe('tls-error: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(tls.more).toEqual([
      `SHA-256 ${certs.selfSigned.fingerprint256}`,
      'subject CN=self-signed; issuer CN=self-signed',
      expect.stringMatching(/^valid /),
      `if this is your server's certificate, pin it: "certificateFingerprint": "${certs.selfSigned.fingerprint256}"`,
    ]);
  });

  it('passes a self-signed certificate pinned by its fingerprint, over STARTTLS too', async () => {
    const pin = certs.selfSigned.fingerprint256.replace(/:/g, '').toLowerCase();
    const run = await check({
      accounts: [
        implicitAccount({
          port: selfSigned.tlsPort,
          caFile: undefined,
          certificateFingerprint: pin,
          mailboxes: ['INBOX'],
        }),
        starttlsAccount({ port: selfSigned.port, caFile: undefined, certificateFingerprint: pin }),
      ],
    });
    expect(run.code, run.stdout).toBe(0);
    expect(stepsOf(run.rows, 'work')).toEqual(ALL_OK(['INBOX']));
    expect(stepsOf(run.rows, 'home')).toEqual(ALL_OK(['INBOX']));
    expect(rowOf(run.rows, 'home', 'tls').detail).toMatch(
      /^STARTTLS, TLSv1\.[23], certificate matches the pin$/,
    );
  });

  it('fails the TLS step of a pinned server whose certificate is another', async () => {
    const run = await check({
      accounts: [
        implicitAccount({
          caFile: undefined,
          certificateFingerprint: certs.selfSigned.fingerprint256,
        }),
      ],
    });
    expect(run.code).toBe(1);
    const tls = rowOf(run.rows, 'work', 'tls');
    expect(tls.result).toBe('FAILED');
    expect(tls.detail).toBe(
      `tls-error: certificate does not match the pinned SHA-256 ${certs.selfSigned.fingerprint256}`,
    );
    expect(tls.more[0]).toBe(`SHA-256 ${certs.good.fingerprint256}`);
    expect(rowOf(run.rows, 'work', 'login').result).toBe('skipped');
  });

  it('checks every step of the other accounts when one fails', async () => {
    const run = await check({
      accounts: [
        starttlsAccount({ id: 'broken', port: await freePort() }),
        implicitAccount(),
        starttlsAccount(),
      ],
    });
    expect(run.code).toBe(1);
    expect(rowOf(run.rows, 'broken', 'tcp').result).toBe('FAILED');
    expect(stepsOf(run.rows, 'work')).toEqual(ALL_OK(['INBOX', 'Work']));
    expect(stepsOf(run.rows, 'home')).toEqual(ALL_OK(['INBOX']));
    expect(run.lastLine).toBe('FAILED: broken at tcp (2 of 3 accounts passed).');
  });

  it('gives up on a server that accepts and never answers within the step deadline', async () => {
    const sockets: net.Socket[] = [];
    const blackhole = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const port = (blackhole.address() as net.AddressInfo).port;
    try {
      const run = await check(
        {
          accounts: [
            implicitAccount({ id: 'silent', host: '127.0.0.1', port }),
            starttlsAccount({ id: 'silent-starttls', port }),
            implicitAccount(),
          ],
        },
        ['--timeout', '1'],
      );
      expect(run.code).toBe(1);
      expect(rowOf(run.rows, 'silent', 'tcp').result).toBe('ok');
      expect(rowOf(run.rows, 'silent', 'tls')).toMatchObject({
        result: 'FAILED',
        detail: 'TLS handshake got no answer within 1 s',
      });
      expect(rowOf(run.rows, 'silent-starttls', 'tls')).toMatchObject({
        result: 'FAILED',
        detail: 'STARTTLS and TLS handshake got no answer within 1 s',
      });
      expect(stepsOf(run.rows, 'work')).toEqual(ALL_OK(['INBOX', 'Work']));
    } finally {
      sockets.forEach((socket) => socket.destroy());
      blackhole.close();
    }
  });

  it('writes one JSON document with --json: every step, the certificate, the failed step named', async () => {
    const run = await check(
      { accounts: [implicitAccount(), starttlsAccount({ id: 'bad', passwordEnv: 'NOPE' })] },
      ['--json'],
      { NOPE: 'wrong' },
    );
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout) as {
      ok: boolean;
      accounts: Array<{
        id: string;
        ok: boolean;
        failedStep?: string;
        steps: Array<Record<string, unknown>>;
      }>;
    };
    expect(document.ok).toBe(false);
    expect(document.accounts.map((a) => [a.id, a.ok, a.failedStep])).toEqual([
      ['work', true, undefined],
      ['bad', false, 'login'],
    ]);
    const [work, bad] = document.accounts;
    expect(work?.steps.map((s) => [s.step, s.mailbox, s.status])).toEqual([
      ['settings', undefined, 'ok'],
      ['dns', undefined, 'ok'],
      ['tcp', undefined, 'ok'],
      ['tls', undefined, 'ok'],
      ['login', undefined, 'ok'],
      ['mailbox', 'INBOX', 'ok'],
      ['mailbox', 'Work', 'ok'],
    ]);
    expect(work?.steps[0]).toMatchObject({ source: 'config' });
    expect(work?.steps[1]?.addresses).toContain('127.0.0.1');
    expect(work?.steps[2]).toMatchObject({ address: '127.0.0.1' });
    const certificate = work?.steps[3]?.certificate as Record<string, unknown>;
    expect(certificate).toMatchObject({
      fingerprint256: certs.good.fingerprint256,
      subject: 'CN=good',
      issuer: 'CN=Tidings Test CA',
      trusted: true,
      trustedBy: 'authorities',
    });
    expect(Date.parse(String(certificate.validTo))).toBeGreaterThan(Date.now());
    expect(work?.steps[5]).toMatchObject({ messages: 0 });
    expect(bad?.steps.find((s) => s.step === 'login')).toMatchObject({
      status: 'failed',
      reason: 'auth-failed',
    });
    expect(bad?.steps.at(-1)).toMatchObject({ status: 'skipped', detail: 'login failed' });
  });

  it('says where an email-only account found its server, and checks it', async () => {
    const email = 'carol@example.test';
    dovecot.addUser(email, PASSWORD);
    const run = await check({ accounts: [{ id: 'carol', email, password: PASSWORD }] }, [], {
      TIDINGS_AUTOCONFIG_HOSTS: `example.test=127.0.0.1:${dovecot.tlsPort}:implicit`,
      NODE_EXTRA_CA_CERTS: certs.caFile,
    });
    expect(run.code, run.stdout).toBe(0);
    expect(stepsOf(run.rows, 'carol')).toEqual(ALL_OK(['INBOX']));
    expect(rowOf(run.rows, 'carol', 'settings').detail).toBe(
      `127.0.0.1:${dovecot.tlsPort} (TLS), sign-in: password — From TIDINGS_AUTOCONFIG_HOSTS`,
    );
    expect(rowOf(run.rows, 'carol', 'login').detail).toBe(`logged in as ${email} (password)`);
  });

  it('refuses an email-only account whose server changed since the last run, naming both', async () => {
    const email = 'dan@example.test';
    dovecot.addUser(email, PASSWORD);
    const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-check-state-'));
    const config = { accounts: [{ id: 'dan', email, password: PASSWORD }] };
    const at = (port: number) => ({
      TIDINGS_AUTOCONFIG_HOSTS: `example.test=127.0.0.1:${port}:implicit`,
      NODE_EXTRA_CA_CERTS: certs.caFile,
    });
    expect((await check(config, [], at(dovecot.tlsPort), stateDir)).code).toBe(0);

    const moved = await check(config, [], at(dovecot.port), stateDir);
    expect(moved.code).toBe(2);
    expect(moved.stderr).toContain(
      `accounts[0].email: the server found for ${email} changed from 127.0.0.1:${dovecot.tlsPort} (TLS) to 127.0.0.1:${dovecot.port} (TLS) (From TIDINGS_AUTOCONFIG_HOSTS), and Tidings does not follow a changed answer silently: if it is right, put "host": "127.0.0.1", "port": ${dovecot.port}, "tls": "implicit", "user": "${email}" in the account`,
    );
    // Refused, not learnt: the same change is refused again, and the first answer still works.
    expect((await check(config, [], at(dovecot.port), stateDir)).code).toBe(2);
    expect((await check(config, [], at(dovecot.tlsPort), stateDir)).code).toBe(0);
  });

  it('lists what "mailboxes": "all" watches, and names an ignore pattern that matches nothing', async () => {
    const run = await check({
      accounts: [implicitAccount({ mailboxes: 'all', ignoreMailboxes: ['Old*'] })],
    });
    expect(run.code, run.stdout).toBe(0);
    expect(stepsOf(run.rows, 'work')).toEqual([...ALL_OK(['INBOX']), 'all folders: ok']);
    expect(rowOf(run.rows, 'work', 'all folders').detail).toBe(
      '2 watched: INBOX, Work; ignoreMailboxes matching nothing: Old*',
    );
  });

  it('fails the login step of an OAuth2 account nobody signed in, and checks the rest', async () => {
    const run = await check({
      accounts: [
        implicitAccount({
          id: 'mail',
          passwordCommand: undefined,
          auth: 'oauth2',
          oauth2: {
            provider: 'custom',
            clientId: 'tidings-test',
            authorizationUrl: 'https://127.0.0.1:1/authorize',
            tokenUrl: 'https://127.0.0.1:1/token',
            scope: 'imap',
          },
        }),
        starttlsAccount(),
      ],
    });
    expect(run.code).toBe(1);
    expect(rowOf(run.rows, 'mail', 'tls').result).toBe('ok');
    expect(rowOf(run.rows, 'mail', 'login')).toMatchObject({
      result: 'FAILED',
      detail: 'auth-failed: not signed in: run tidings login',
    });
    expect(stepsOf(run.rows, 'home')).toEqual(ALL_OK(['INBOX']));
  });

  it('checks an account without TLS (allowInsecureAuth), saying it is plain text', async () => {
    const run = await check({
      accounts: [starttlsAccount({ tls: 'none', allowInsecureAuth: true, caFile: undefined })],
    });
    expect(run.code, run.stdout).toBe(0);
    expect(stepsOf(run.rows, 'home')).toEqual(ALL_OK(['INBOX']));
    expect(rowOf(run.rows, 'home', 'tls').detail).toBe(
      'none: plain text, no certificate (tls "none", allowInsecureAuth)',
    );
  });

  it('on Ctrl-C kills a passwordCommand still running, with what it started, and exits 130', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-check-cmd-'));
    const pidFile = path.join(dir, 'grandchild.pid');
    const command = `sleep 30 & echo $! > '${pidFile}.tmp'; mv '${pidFile}.tmp' '${pidFile}'; wait`;
    const started = startCli([
      'check',
      '--config',
      writeConfig({ accounts: [implicitAccount({ passwordCommand: command })] }),
      '--state-dir',
      dir,
    ]);
    await until(() => existsSync(pidFile), 'the passwordCommand to start');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    started.child.kill('SIGINT');
    const run = await started.done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('tidings: interrupted');
    await until(() => !isRunning(grandchild), 'the passwordCommand’s sleep to end');
  });

  it('refuses a bad config or a bad --timeout with exit 2, checking nothing', async () => {
    const badConfig = await check({ accounts: [implicitAccount({ port: 'imap' })] });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('accounts[0].port');
    expect(badConfig.stdout).toBe('');
    const badTimeout = await check({ accounts: [implicitAccount()] }, ['--timeout', 'soon']);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain('--timeout: expected seconds from 0.1 to 300, got "soon"');
    expect(badTimeout.stdout).toBe('');
  });
});
