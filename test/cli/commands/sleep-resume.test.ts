/**
 * A laptop lid, simulated: `tidings watch` is frozen with SIGSTOP while mail arrives, then
 * continued with SIGCONT. Once with the connection intact, once with the connection killed
 * silently meanwhile (the server side gone, the client's socket left open and mute), as a
 * NAT mapping or a server's idle timeout does during a night of sleep. The CLI's resume
 * detection (timers firing late) is tuned to see the 3 s freeze as a sleep, and the
 * heartbeat is set far beyond the tests' waits: recovery has to come from the resume path.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import {
  isStatus,
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
} from '../../support/watch-process.js';

let dovecot: Dovecot;
let users = 0;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

async function watchThroughProxy(): Promise<{
  user: string;
  proxy: FaultProxy;
  proc: WatchProcess;
}> {
  const user = `sleeper${++users}`;
  dovecot.addUser(user, 'pw');
  const proxy = await startFaultProxy(dovecot.port);
  cleanups.push(() => proxy.close());
  const account = {
    id: 'a',
    host: '127.0.0.1',
    port: proxy.port,
    tls: 'none',
    allowInsecureAuth: true,
  };
  const proc = startWatch({
    configFile: writeConfig({
      accounts: [{ ...account, user, password: 'pw' }],
      liveness: { heartbeatSeconds: 60, commandTimeoutSeconds: 5, maxBackoffSeconds: 1 },
    }),
    stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-sleep-')),
    // Timers checked every 200 ms: a 3 s freeze makes one fire at least 2.8 s late.
    env: { TIDINGS_RESUME_DRIFT_MS: '1500', TIDINGS_SYSTEM_POLL_MS: '200' },
  });
  cleanups.push(() => proc.stop());
  await proc.events.waitFor(isStatus('a', 'INBOX', 'idle'), 'idle');
  return { user, proxy, proc };
}

async function sleepWhileMailArrives(
  proc: WatchProcess,
  during: () => Promise<void>,
): Promise<number> {
  proc.signal('SIGSTOP');
  await during();
  // Twice TIDINGS_RESUME_DRIFT_MS: the timers are certainly late enough when it wakes.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  proc.signal('SIGCONT');
  return Date.now();
}

const resumeSync = (e: WatchEvent) =>
  isStatus('a', 'INBOX', 'syncing')(e) &&
  String(e.detail).split(', ').includes('resume from sleep');

describe('sleep and resume (SIGSTOP / SIGCONT)', () => {
  it('sees the sleep as a resume, probes and resyncs on the same connection, and announces once', async () => {
    const { user, proxy, proc } = await watchThroughProxy();
    const id = newMessageId();
    const from = proc.events.items.length;
    const wokeAt = await sleepWhileMailArrives(proc, () =>
      dovecot.append(user, 'INBOX', [buildMessage({ messageId: id })]).then(() => undefined),
    );
    await proc.events.waitFor(resumeSync, 'syncing: resume from sleep', 10_000, from);
    await proc.events.waitFor((e) => e.event === 'new-mail' && e.messageId === id, 'the mail');
    console.info(`intact connection: announced ${Date.now() - wokeAt} ms after SIGCONT`);
    expect(proc.stderr()).toMatch(/system event: resume \(timers ran \d+ s late\)/);
    expect(proxy.accepted).toBe(1);
    const marker = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: marker })]);
    await proc.events.waitFor(
      (e) => e.event === 'new-mail' && e.messageId === marker,
      'a later mail',
    );
    expect(proc.events.filter((e) => e.event === 'new-mail').map((e) => e.messageId)).toEqual([
      id,
      marker,
    ]);
  });

  it(
    'reconnects at once and announces once when the connection died silently during the sleep',
    { timeout: 45_000 },
    async () => {
      const { user, proxy, proc } = await watchThroughProxy();
      const id = newMessageId();
      const from = proc.events.items.length;
      const wokeAt = await sleepWhileMailArrives(proc, async () => {
        proxy.killSilently();
        await dovecot.append(user, 'INBOX', [buildMessage({ messageId: id })]);
      });
      // The heartbeat (60 s) and the socket timeout are far off: this is the resume's probe.
      await proc.events.waitFor(
        (e) => e.event === 'new-mail' && e.messageId === id,
        'the mail, within 10 s of waking',
        10_000,
      );
      console.info(`dead connection: announced ${Date.now() - wokeAt} ms after SIGCONT`);
      await proc.events.waitFor(isStatus('a', 'INBOX', 'idle'), 'idle again', 15_000, from);
      const states = proc.events.items.slice(from).filter((e) => e.event === 'status');
      expect(states.map((e) => e.state)).toEqual(
        expect.arrayContaining(['backoff', 'connecting', 'idle']),
      );
      // A resume resets the backoff: the first retry is immediate.
      expect(states.find((e) => e.state === 'backoff')?.detail).toMatch(/retrying in 0 ms$/);
      const marker = newMessageId();
      await dovecot.append(user, 'INBOX', [buildMessage({ messageId: marker })]);
      await proc.events.waitFor(
        (e) => e.event === 'new-mail' && e.messageId === marker,
        'a later mail',
      );
      expect(proc.events.filter((e) => e.event === 'new-mail').map((e) => e.messageId)).toEqual([
        id,
        marker,
      ]);
    },
  );
});
