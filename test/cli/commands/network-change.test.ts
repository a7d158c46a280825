/**
 * A network change, for real: `tidings watch` runs in a network namespace of the test's own
 * whose server is on its loopback, and a veth pair with a documentation-range address
 * (192.0.2.1/24; nothing is ever sent to it) appears and disappears there. The interface
 * poller must see both, resync, keep announcing, and with only loopback left neither
 * reconnect nor loop.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import { netnsUnavailable, startNetns } from '../../support/netns.js';
import { isStatus, startWatch, writeConfig, type WatchEvent } from '../../support/watch-process.js';

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`network-change tests skipped: ${unavailable}`);

let dovecot: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

/** Successful logins of `user` so far, from Dovecot's log. */
function logins(user: string): number {
  const log = readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
  return log.split('\n').filter((line) => line.includes(`Login: user=<${user}>`)).length;
}

const networkChanged = (e: WatchEvent) =>
  isStatus('a', 'INBOX', 'syncing')(e) && String(e.detail).split(', ').includes('network changed');

describe.skipIf(unavailable !== undefined)('network change in a namespace of its own', () => {
  it(
    'resyncs when an interface appears and when it goes, announces mail after each, and stays put on loopback alone',
    { timeout: 60_000 },
    async () => {
      const user = 'roamer';
      dovecot.addUser(user, 'pw');
      const netns = await startNetns(dovecot.port);
      cleanups.push(() => netns.close());
      const proc = startWatch({
        configFile: writeConfig({
          accounts: [
            {
              id: 'a',
              host: '127.0.0.1',
              port: netns.port,
              tls: 'none',
              allowInsecureAuth: true,
              user,
              password: 'pw',
            },
          ],
          liveness: { heartbeatSeconds: 30, commandTimeoutSeconds: 5 },
        }),
        stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-netns-state-')),
        launcher: netns.launcher,
        env: { TIDINGS_SYSTEM_POLL_MS: '200' },
      });
      cleanups.push(() => proc.stop());
      await proc.events.waitFor(isStatus('a', 'INBOX', 'idle'), 'idle on loopback only');

      const mailAfter = async (what: string, change: () => Promise<void>) => {
        const from = proc.events.items.length;
        await change();
        await proc.events.waitFor(networkChanged, `the resync after ${what}`, 10_000, from);
        await proc.events.waitFor(
          isStatus('a', 'INBOX', 'idle'),
          `idle after ${what}`,
          10_000,
          from,
        );
        const id = newMessageId();
        await dovecot.append(user, 'INBOX', [buildMessage({ messageId: id })]);
        const mail = await proc.events.waitFor(
          (e) => e.event === 'new-mail' && e.messageId === id,
          `mail after ${what}`,
          10_000,
          from,
        );
        // Then back to IDLE, the resting state.
        const after = proc.events.items.indexOf(mail);
        await proc.events.waitFor(
          isStatus('a', 'INBOX', 'idle'),
          `idle after ${what}`,
          10_000,
          after,
        );
      };
      await mailAfter('a veth pair appeared', async () => {
        await netns.ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
        await netns.ip('addr', 'add', '192.0.2.1/24', 'dev', 'v0');
        await netns.ip('link', 'set', 'v0', 'up');
        // Node lists an interface only while it is running: a veth runs once both ends are up.
        await netns.ip('link', 'set', 'v1', 'up');
      });
      await mailAfter('the veth pair went', () => netns.ip('link', 'del', 'v0'));

      // Loopback alone: the machine counts as offline, the server on loopback does not.
      const quietFrom = proc.events.items.length;
      const [loginsBefore, acceptedBefore] = [logins(user), netns.accepted];
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(proc.events.items.slice(quietFrom)).toEqual([]);
      expect([logins(user), netns.accepted]).toEqual([loginsBefore, acceptedBefore]);
      expect(proc.stderr()).toContain(
        'system event: network-changed (interface addresses changed)',
      );
      expect(proc.stderr()).toContain('system event: network-changed (no network interfaces)');
      expect(proc.events.filter((e) => e.event === 'new-mail')).toHaveLength(2);
    },
  );

  it('waits offline, alive and without a retry loop, for a server off loopback when the machine has no network', async () => {
    const netns = await startNetns(dovecot.port);
    cleanups.push(() => netns.close());
    const proc = startWatch({
      configFile: writeConfig({
        accounts: [
          {
            id: 'far',
            // TEST-NET-2: with loopback alone there is no route to it, so nothing is sent.
            host: '198.51.100.7',
            port: 143,
            tls: 'none',
            allowInsecureAuth: true,
            user: 'nobody',
            password: 'pw',
          },
        ],
        liveness: { heartbeatSeconds: 30, commandTimeoutSeconds: 5, maxBackoffSeconds: 1 },
      }),
      stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-netns-state-')),
      launcher: netns.launcher,
    });
    cleanups.push(() => proc.stop());
    const offline = await proc.events.waitFor(isStatus('far', 'INBOX', 'offline'), 'offline');
    expect(offline.detail).toBe('no network (network unreachable)');
    const from = proc.events.items.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(proc.events.items.slice(from)).toEqual([]);
    expect(proc.running()).toBe(true);
  });
});
