/**
 * `tidings mailboxes ACCOUNT_ID` end to end: the compiled CLI logs in to a real Dovecot
 * (STARTTLS with the test CA) and lists exactly the mailboxes the test created.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../../support/certificates.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { runCli } from '../../support/run-cli.js';
import { writeConfig } from '../../support/watch-process.js';

let certs: TestCertificates;
let dovecot: Dovecot;
const USER = 'bob';
const PASSWORD = 'hunter2 but longer';

beforeAll(async () => {
  certs = makeTestCertificates();
  dovecot = await startDovecot({}, { cert: certs.good.cert, key: certs.good.key });
  dovecot.addUser(USER, PASSWORD);
  await dovecot.withClient(USER, async (client) => {
    await client.mailboxCreate('Work');
    await client.mailboxCreate('Archive');
    await client.mailboxCreate(['Lists', 'Team']);
  });
});
afterAll(async () => {
  await dovecot?.stop();
});

function account(overrides: Record<string, unknown> = {}) {
  return {
    id: 'bob',
    host: '127.0.0.1',
    port: dovecot.port,
    tls: 'starttls',
    user: USER,
    passwordEnv: 'MAILBOXES_TEST_PASSWORD',
    caFile: certs.caFile,
    mailboxes: ['INBOX', 'Work'],
    ...overrides,
  };
}

function mailboxes(config: unknown, args: string[], password = PASSWORD) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-mailboxes-state-'));
  return runCli(['mailboxes', '--config', writeConfig(config), '--state-dir', stateDir, ...args], {
    MAILBOXES_TEST_PASSWORD: password,
  });
}

describe('tidings mailboxes', () => {
  it("lists exactly the server's selectable mailboxes, INBOX first, the watched ones marked", async () => {
    const run = await mailboxes({ accounts: [account()] }, ['bob']);
    expect(run.code, run.stderr).toBe(0);
    // Dovecot's Maildir++ names the child "Lists.Team"; "Lists" itself is not selectable.
    expect(run.stdout.split('\n')).toEqual([
      '* INBOX',
      '  Archive',
      '  Lists.Team',
      '* Work',
      '',
      '(4 mailboxes of bob; * watched)',
      '',
    ]);
  });

  it('writes one JSON document with --json, naming a watched mailbox the server does not have', async () => {
    const run = await mailboxes(
      { accounts: [account({ mailboxes: ['inbox', 'Gone', 'Lists.Team'] })] },
      ['--json', 'bob'],
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      account: 'bob',
      mailboxes: [
        { path: 'INBOX', watched: true },
        { path: 'Archive', watched: false },
        { path: 'Lists.Team', watched: true },
        { path: 'Work', watched: false },
      ],
      missing: ['Gone'],
    });
  });

  it('marks a watched mailbox that is missing in the table too', async () => {
    const run = await mailboxes({ accounts: [account({ mailboxes: ['INBOX', 'Gone'] })] }, ['bob']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\n! Gone (watched, but not on the server)\n');
  });

  it('exits 1 naming a rejected login as auth-failed, and lists nothing', async () => {
    const run = await mailboxes({ accounts: [account()] }, ['bob'], 'not the password');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^tidings: bob: auth-failed: login rejected: /);
    expect(run.stderr).not.toContain('not the password');
  });

  it('exits 2 for an account the config does not have, or none given', async () => {
    const unknown = await mailboxes({ accounts: [account()] }, ['alice']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no account "alice" (accounts: bob)');
    const none = await mailboxes({ accounts: [account()] }, []);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('mailboxes: give the ACCOUNT_ID to list');
  });
});
