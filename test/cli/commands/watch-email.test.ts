/**
 * A headless account given by address alone: `tidings watch --json` (the compiled CLI) looks
 * the address up, prints what it found, and announces mail from the test Dovecot. The lookup
 * is pointed there by TIDINGS_AUTOCONFIG_HOSTS, and the test CA is trusted through
 * NODE_EXTRA_CA_CERTS, so the config holds only the email and the password.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../../support/certificates.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import {
  isStatus,
  startWatch,
  writeConfig,
  type WatchProcess,
} from '../../support/watch-process.js';

let dovecot: Dovecot;
let certs: TestCertificates;
const running: WatchProcess[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  dovecot = await startDovecot({}, { cert: certs.good.cert, key: certs.good.key });
});
afterAll(async () => {
  await Promise.all(running.splice(0).map((watch) => watch.stop()));
  await dovecot?.stop();
});

describe('tidings watch with an "email"-only account', () => {
  it('finds the server from the address, says where, and announces new mail', async () => {
    const email = 'ann@example.test';
    dovecot.addUser(email, 'correct horse');
    const proc = startWatch({
      configFile: writeConfig({
        accounts: [{ id: 'work', email, password: 'correct horse' }],
        liveness: { heartbeatSeconds: 5, commandTimeoutSeconds: 5 },
      }),
      stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-state-')),
      env: {
        TIDINGS_AUTOCONFIG_HOSTS: `example.test=127.0.0.1:${dovecot.tlsPort}:implicit`,
        NODE_EXTRA_CA_CERTS: certs.caFile,
      },
    });
    running.push(proc);
    await proc.events.waitFor(isStatus('work', 'INBOX', 'idle'), 'work/INBOX idle');
    expect(proc.stderr()).toContain(
      `work: 127.0.0.1:${dovecot.tlsPort} (TLS), sign-in: password — From TIDINGS_AUTOCONFIG_HOSTS`,
    );

    const messageId = newMessageId();
    await dovecot.append(email, 'INBOX', [buildMessage({ messageId })]);
    const event = await proc.events.waitFor(
      (e) => e.event === 'new-mail' && e.messageId === messageId,
      'the new mail',
    );
    expect(event).toMatchObject({ account: 'work', mailbox: 'INBOX' });
    expect(proc.strayStdout).toEqual([]);
  });
});
