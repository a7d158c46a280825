/**
 * An account's connection budget: the module's queue, the limit it picks, and against a real
 * Dovecot that refuses a fourth connection per user and IP, watchers beyond the budget waiting
 * instead of being refused in a loop.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsSchema, type AccountSettings } from '../../../app/common/settings-schema.js';
import {
  ConnectionBudget,
  connectionLimitFor,
  DEFAULT_MAX_CONNECTIONS,
} from '../../../app/main/engine/watch/connection-budget.js';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  announcedIds,
  startEngine,
  testAccount,
  testSettings,
} from '../../support/engine-harness.js';
import { deliverToMaildir } from '../../support/maildir.js';
import { buildMessage, newMessageId } from '../../support/messages.js';

function account(fields: Record<string, unknown>): AccountSettings {
  const settings = settingsSchema.parse({
    accounts: [{ id: 'a', user: 'ann', password: 'pw', ...fields }],
  });
  return settings.accounts[0] as AccountSettings;
}

const limit = (limit: number) => ({ limit, source: 'maxConnections' });

describe('ConnectionBudget', () => {
  it('hands freed slots to waiters in the order they asked, and counts a release once', async () => {
    const budget = new ConnectionBudget(limit(2));
    const order: string[] = [];
    const first = await budget.acquire();
    const second = await budget.acquire();
    expect(budget.full).toBe(true);
    const third = budget.acquire().then((release) => (order.push('third'), release));
    const fourth = budget.acquire().then((release) => (order.push('fourth'), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // releasing twice frees one slot only
    await third;
    await Promise.resolve();
    expect(order).toEqual(['third']);
    expect(budget.inUse).toBe(2);
    second();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
    expect(budget.inUse).toBe(1);
  });

  it('lets waiters in when the limit grows, and frees no held slot when it shrinks', async () => {
    const budget = new ConnectionBudget(limit(1));
    const held = await budget.acquire();
    const waiting = budget.acquire();
    budget.resize(limit(2));
    const granted = await waiting;
    expect(budget.inUse).toBe(2);
    budget.resize(limit(1));
    expect(budget.inUse).toBe(2);
    let late = false;
    const after = budget.acquire().then((release) => ((late = true), release));
    held();
    await Promise.resolve();
    expect(late).toBe(false); // 1 held, limit 1
    granted();
    (await after)();
    expect(budget.inUse).toBe(0);
  });

  it('drops an aborted waiter from the queue', async () => {
    const budget = new ConnectionBudget(limit(1));
    const held = await budget.acquire();
    const controller = new AbortController();
    const aborted = budget.acquire(controller.signal);
    controller.abort();
    await expect(aborted).rejects.toThrow('stopped');
    held();
    expect(budget.inUse).toBe(0);
    (await budget.acquire())();
  });
});

describe('connectionLimitFor', () => {
  it('takes maxConnections first, then the preset of the host, then the default', () => {
    expect(connectionLimitFor(account({ host: 'imap.gmail.com', maxConnections: 3 }))).toEqual({
      limit: 3,
      source: 'maxConnections',
    });
    expect(connectionLimitFor(account({ host: 'IMAP.Gmail.com' }))).toEqual({
      limit: 15,
      source: "Gmail's limit",
    });
    expect(connectionLimitFor(account({ host: 'imap.example.test' })).limit).toBe(
      DEFAULT_MAX_CONNECTIONS,
    );
  });

  it('matches a loopback preset only on its port (Proton Mail Bridge is 127.0.0.1:1143)', () => {
    const bridge = account({ host: '127.0.0.1', port: 1143, tls: 'starttls' });
    expect(connectionLimitFor(bridge).source).toBe("Proton Mail Bridge's limit");
    const other = account({ host: '127.0.0.1', port: 2143, tls: 'starttls' });
    expect(connectionLimitFor(other).source).toBe('default');
  });
});

let dovecot: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started), {
  maxUserIpConnections: 3,
});

const WAITING = 'waiting for a free connection: this account may use 3 at once (maxConnections)';

describe('Connection budget against Dovecot', { timeout: 60_000 }, () => {
  it('within maxConnections, IDLEs what fits and polls the rest, never reaching the server limit', async () => {
    dovecot.addUser('budget', 'pw');
    const mailboxes = ['INBOX', 'A', 'B', 'C', 'D'];
    await dovecot.withClient('budget', async (c) => {
      for (const mailbox of mailboxes.slice(1)) await c.mailboxCreate(mailbox);
    });
    // Give Dovecot's anvil a moment to count that connection as gone.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const base = {
      ...testAccount(dovecot, 'a', 'budget', 'pw', mailboxes),
      maxConnections: 3,
      pollSeconds: 5,
      // IDLE per mailbox (no NOTIFY): the way that needs the budget.
      watchMode: 'idle' as const,
    };
    const settings = testSettings([base]);
    const engine = startEngine(settings);
    cleanups.push(() => engine.supervisor.stop());
    await engine.allIdle(settings);
    const statuses = engine.supervisor.getStatuses();
    const via = (kind: string) => statuses.filter((s) => s.via === kind).map((s) => s.mailbox);
    // Three connections: INBOX's IDLE, one poller for the rest, one left for the user.
    expect(via('idle')).toEqual(['INBOX']);
    expect(via('poll').sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(statuses.filter((s) => s.detail === WAITING)).toEqual([]);

    const messageId = newMessageId();
    deliverToMaildir(path.join(dovecot.maildir('budget'), '.C'), 1, () =>
      buildMessage({ messageId }),
    );
    await engine.announcements.waitFor(() => true, 'mail to a polled mailbox', 20_000);
    const settled = engine.statuses.items.length;
    engine.supervisor.refresh();
    await engine.allIdle(settings, settled);
    expect(announcedIds(engine.announcements)).toEqual([messageId]);
    const log = readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
    expect(log).not.toMatch(/Maximum number of connections/);
  });
});
