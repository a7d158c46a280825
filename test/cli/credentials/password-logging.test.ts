/**
 * Passwords never reach the logs, even with `--verbose` (where imapflow's own messages are
 * forwarded): one `tidings watch` with a password from each source (`password`,
 * `passwordEnv`, `passwordCommand`) goes through a rejected login, a login and a reconnect,
 * and neither stream may hold a password, in the clear or base64 (AUTH=PLAIN sends
 * `\0user\0password` in base64).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { isStatus, startWatch, writeConfig } from '../../support/watch-process.js';

let dovecot: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

/** The password in the clear, as AUTH=PLAIN's base64, and base64 at every byte alignment. */
function secretForms(user: string, password: string): string[] {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  // Inside longer base64, only the middle quanta of an encoding depend on nothing around it.
  const embedded = [0, 1, 2].map((shift) => base64('\0'.repeat(shift) + password).slice(4, -4));
  return [
    password,
    base64(`\0${user}\0${password}`),
    base64(`${user}\0${user}\0${password}`),
    ...embedded,
  ];
}

const sources = [
  { id: 'literal', password: 'Lit3ral-Quokka-5519' },
  { id: 'env', password: 'Env1ron-Narwhal-7731' },
  { id: 'command', password: 'Comm4nd-Pangolin-2048' },
];

/** The config fields that give account `id` its password. */
function passwordSource(id: string, password: string, file: string): Record<string, string> {
  if (id === 'literal') return { password };
  if (id === 'env') return { passwordEnv: 'TIDINGS_TEST_PASSWORD' };
  writeFileSync(file, `${password}\n`);
  return { passwordCommand: `cat '${file}'` };
}

describe('tidings watch --verbose', () => {
  it(
    'logs no password, in the clear or base64, through a rejected login, a login and a reconnect',
    { timeout: 60_000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'tidings-verbose-'));
      const passwordFile = path.join(dir, 'password');
      const proxies: FaultProxy[] = [];
      const accounts = [];
      for (const { id, password } of sources) {
        // The server knows another password at first: the first login is rejected.
        dovecot.addUser(`${id}-user`, 'not-the-one');
        const proxy = await startFaultProxy(dovecot.port);
        cleanups.push(() => proxy.close());
        proxies.push(proxy);
        accounts.push({
          id,
          host: '127.0.0.1',
          port: proxy.port,
          tls: 'none',
          allowInsecureAuth: true,
          user: `${id}-user`,
          ...passwordSource(id, password, passwordFile),
        });
      }
      const proc = startWatch({
        configFile: writeConfig({
          accounts,
          liveness: { heartbeatSeconds: 30, commandTimeoutSeconds: 5, maxBackoffSeconds: 1 },
        }),
        stateDir: path.join(dir, 'state'),
        env: { TIDINGS_TEST_PASSWORD: sources[1]?.password },
        args: ['--verbose'],
      });
      cleanups.push(() => proc.stop());
      const allReach = async (state: string, what: string, from = 0) => {
        await Promise.all(
          sources.map(({ id }) =>
            proc.events.waitFor(isStatus(id, 'INBOX', state), `${id}: ${what}`, 15_000, from),
          ),
        );
      };

      await allReach('auth-failed', 'the rejected login');
      for (const { id, password } of sources) dovecot.addUser(`${id}-user`, password);
      // Dovecot re-reads a passwd-file at most once a second.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      let from = proc.events.items.length;
      proc.signal('SIGUSR1');
      await allReach('idle', 'idle after the retry', from);

      from = proc.events.items.length;
      for (const proxy of proxies) proxy.resetAll();
      await allReach('connecting', 'the reconnect', from);
      await allReach('idle', 'idle after the reconnect', from);
      expect(await proc.stop()).toBe(0);

      // The run did log imapflow's messages and our debug lines, so there was a chance to leak.
      // The connection's label: the account and what it watches (NOTIFY: all its mailboxes).
      expect(proc.stderr()).toMatch(/ debug literal\/(INBOX|NOTIFY): imap: /);
      const output = `${proc.stderr()}\n${proc.stdout()}`;
      for (const { id, password } of sources) {
        for (const form of secretForms(`${id}-user`, password)) {
          expect(output.includes(form), `${id}: "${form}" in the output`).toBe(false);
        }
      }
    },
  );
});
