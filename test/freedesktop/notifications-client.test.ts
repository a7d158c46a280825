/**
 * The D-Bus notification client against the recording notification server on a private
 * session bus (support/notification-bus.ts): what Notify carries, and which ActionInvoked and
 * NotificationClosed signals reach a popup — only its own server's, for its own ids and keys.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import {
  FreedesktopPopups,
  NotificationsClient,
  connectTo,
  sessionBusAddress,
  type DesktopNotification,
} from '../../app/main/freedesktop/index.js';
import type { Logger } from '../../app/main/engine/index.js';
import {
  NO_MARKUP,
  startNotificationBus,
  type NotificationBus,
} from '../support/notification-bus.js';

function newLogger() {
  return {
    debug: vi.fn<(message: string) => void>(),
    info: vi.fn<(message: string) => void>(),
    warn: vi.fn<(message: string) => void>(),
    error: vi.fn<(message: string) => void>(),
  } satisfies Logger;
}

const popup: DesktopNotification = {
  icon: 'mail-unread',
  summary: 'Ann <ann@example.test>',
  body: 'Lunch?',
  actions: [
    { key: 'default', label: 'Open' },
    { key: 'read', label: 'Mark as read' },
    { key: 'delete', label: 'Delete' },
  ],
  hints: { category: ['s', 'email.arrived'], urgency: ['y', 1], 'suppress-sound': ['b', true] },
  expireTimeoutMs: 10_000,
};

let bus: NotificationBus;
const clients: NotificationsClient[] = [];
beforeEach(async () => {
  bus = await startNotificationBus();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await bus.stop();
});

function newClient(logger: Logger = newLogger(), maxTracked?: number): NotificationsClient {
  const client = new NotificationsClient({
    logger,
    appName: 'Tidings',
    address: () => bus.address,
    ...(maxTracked === undefined ? {} : { maxTracked }),
  });
  clients.push(client);
  return client;
}

describe('NotificationsClient on a private session bus', () => {
  it('sends Notify with its actions, icon, hints and expiry, typed as the spec says', async () => {
    const client = newClient();
    expect(await client.capabilities()).toContain('actions');
    const id = await client.notify(popup, () => {});
    const [call] = await bus.waitForNotifications(1);
    expect(call).toMatchObject({
      id,
      app_name: 'Tidings',
      app_icon: 'mail-unread',
      summary: 'Ann <ann@example.test>',
      body: 'Lunch?',
      actions: ['default', 'Open', 'read', 'Mark as read', 'delete', 'Delete'],
      hints: { category: 'email.arrived', urgency: 1, 'suppress-sound': true },
      hint_types: { category: 's', urgency: 'y', 'suppress-sound': 'b' },
      expire_timeout: 10_000,
      replaces_id: 0,
    });
    // Replaced in place: the same id, the server's "replace atomically".
    expect(await client.notify({ ...popup, replacesId: id, summary: 'again' })).toBe(id);
    await client.close(id ?? 0);
    await bus.records.waitFor((r) => r.call === 'CloseNotification', 'the close');
    expect(bus.open()).toEqual([]);
  });

  it("runs a popup's action for its own key, from its own server, and nothing else", async () => {
    const client = newClient();
    const clicked: string[] = [];
    const id = (await client.notify(popup, (key) => clicked.push(`A ${key}`))) ?? 0;
    const other = (await client.notify(popup, (key) => clicked.push(`B ${key}`))) ?? 0;
    // Another app on the bus sends what a click on our popup would: ignored.
    await bus.emit({ emit: 'ActionInvoked', id, key: 'delete', foreign: true });
    // An id we never made, and a key this popup never offered: ignored.
    await bus.emit({ emit: 'ActionInvoked', id: other + 100, key: 'read' });
    await bus.emit({ emit: 'ActionInvoked', id, key: 'archive' });
    // A foreign close does not make us forget the popup either.
    await bus.emit({ emit: 'NotificationClosed', id, foreign: true });
    await bus.emit({ emit: 'ActionInvoked', id: other, key: 'read' });
    await bus.emit({ emit: 'ActionInvoked', id, key: 'default' });
    // Each emit returns once the server's connection has sent it, so the daemon had the foreign
    // ones first; D-Bus orders one sender's messages only, so a late one is waited for too.
    await vi.waitFor(() => expect(clicked).toEqual(['B read', 'A default']));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(clicked).toEqual(['B read', 'A default']);
  });

  it('forgets a popup when its server says it closed, and remembers at most a bounded few', async () => {
    const client = newClient(newLogger(), 2);
    const clicked: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await client.notify(popup, () => clicked.push(ids[i] ?? -1))) ?? 0);
    }
    // The oldest was forgotten when the third came.
    expect(client.trackedCount).toBe(2);
    const [oldest, closed, kept] = ids as [number, number, number];
    const closedIds: number[] = [];
    client.onClosed((id) => closedIds.push(id));
    await bus.emit({ emit: 'NotificationClosed', id: closed, reason: 2 });
    await vi.waitFor(() => expect(closedIds).toEqual([closed]));
    expect(client.trackedCount).toBe(1);
    await bus.emit({ emit: 'ActionInvoked', id: oldest, key: 'read' });
    await bus.emit({ emit: 'ActionInvoked', id: closed, key: 'read' });
    await bus.emit({ emit: 'ActionInvoked', id: kept, key: 'read' });
    await vi.waitFor(() => expect(clicked).toEqual([kept]));
  });

  it('reads the capabilities of a server without actions', async () => {
    await bus.stop();
    bus = await startNotificationBus({ capabilities: NO_MARKUP.filter((c) => c !== 'actions') });
    expect(await newClient().capabilities()).toEqual(['body', 'icon-static', 'persistence']);
  });
});

describe('FreedesktopPopups on a private session bus', () => {
  const shown = { title: 'Ann', body: 'Lunch?', sound: false, buttons: [] };

  it('never closes or replaces by id a popup the server said it closed (its id may be reused)', async () => {
    const client = newClient();
    const heard: number[] = [];
    client.onClosed((id) => heard.push(id));
    const popups = new FreedesktopPopups(client, newLogger());
    popups.show({ id: 1, replaces: [] }, shown);
    popups.show({ id: 2, replaces: [] }, shown);
    const [first, second] = await bus.waitForNotifications(2);
    await bus.emit({ emit: 'NotificationClosed', id: first?.id ?? 0, reason: 1 });
    await vi.waitFor(() => expect(heard).toEqual([first?.id]));
    // Withdrawn in this order: had the first been closed by its id, it would come first.
    popups.withdraw(1);
    popups.withdraw(2);
    await bus.records.waitFor(
      (r) => r.call === 'CloseNotification' && r.id === second?.id,
      'the second closed',
    );
    expect(bus.records.items.filter((r) => r.call === 'CloseNotification')).toEqual([
      { call: 'CloseNotification', id: second?.id, was_open: true },
    ]);
  });

  it('shows nothing more once closed, and opens no new connection for it', async () => {
    const popups = new FreedesktopPopups(newClient(), newLogger());
    popups.show({ id: 1, replaces: [] }, shown);
    await bus.waitForNotifications(1);
    popups.close();
    popups.showNotice("Couldn't mark as read", 'Tidings is quitting');
    popups.show({ id: 2, replaces: [] }, shown);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bus.records.items.filter((r) => r.call === 'Notify')).toHaveLength(1);
  });
});

describe('NotificationsClient without a session bus', () => {
  it.each([
    { what: 'no bus address', address: undefined, reason: /DBUS_SESSION_BUS_ADDRESS is not set/ },
    {
      what: 'a bus socket that is gone',
      address: `unix:path=${path.join(mkdtempSync(path.join(tmpdir(), 'tidings-nobus-')), 'bus')}`,
      reason: /ENOENT/,
    },
  ])('logs one warning and throws nothing with $what', async ({ address, reason }) => {
    const logger = newLogger();
    const client = new NotificationsClient({ logger, appName: 'Tidings', address: () => address });
    clients.push(client);
    expect(await client.capabilities()).toBeUndefined();
    expect(await client.notify(popup, () => {})).toBeUndefined();
    expect(await client.notify(popup)).toBeUndefined();
    await client.close(1);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(reason);
    expect(String(logger.warn.mock.calls[0]?.[0])).not.toMatch(/Lunch/);
  });

  it('drops a bus that leaves a call unanswered, so the next call opens a new connection', async () => {
    // A "bus" that accepts the connection and never says a word (a hung daemon).
    const socket = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-hungbus-')), 'bus');
    const sockets: net.Socket[] = [];
    const server = net.createServer((peer) => sockets.push(peer));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const logger = newLogger();
    const client = new NotificationsClient({
      logger,
      appName: 'Tidings',
      address: () => `unix:path=${socket}`,
      timeoutMs: 200,
    });
    clients.push(client);
    try {
      expect(await client.capabilities()).toBeUndefined();
      expect(await client.capabilities()).toBeUndefined();
      // Each call waited once on its own connection, not on the first one again.
      expect(sockets).toHaveLength(2);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/no answer in 200 ms/);
    } finally {
      for (const peer of sockets) peer.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('finds the systemd user bus when DBUS_SESSION_BUS_ADDRESS is unset', () => {
    const runtime = mkdtempSync(path.join(tmpdir(), 'tidings-runtime-'));
    expect(sessionBusAddress({ XDG_RUNTIME_DIR: runtime })).toBeUndefined();
    expect(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' })).toBe('unix:path=/x');
    expect(() => connectTo('launchd:env=X')).toThrow(/no usable transport/);
  });
});
