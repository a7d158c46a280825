/**
 * A private D-Bus session bus with a recording notification server on it, for tests of real
 * desktop popups: `dbus-run-session -- python3 notification-server.py`. The server owns
 * org.freedesktop.Notifications before it says "ready" with the bus address, so a process
 * given that DBUS_SESSION_BUS_ADDRESS finds it at once. What it receives comes back as
 * parsed records to wait on; the desktop's own session bus is never touched. `emit` makes the
 * server send ActionInvoked or NotificationClosed as a user's click would, or another
 * connection on the bus send it (a forgery, or another app's popup).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventLog } from './event-log.js';

const SERVER = fileURLToPath(new URL('./notification-server.py', import.meta.url));
// Debian's python3-dbus and python3-gi live under /usr/bin/python3's dist-packages: a
// python3 earlier in PATH (pyenv, a venv) would not find them.
const PYTHON = process.env.TIDINGS_TEST_PYTHON3 ?? '/usr/bin/python3';

/** The capabilities GNOME Shell 43 announces (js/ui/notificationDaemon.js). */
export const GNOME_CAPABILITIES = [
  'actions',
  'body',
  'body-markup',
  'icon-static',
  'persistence',
  'sound',
];

/** KDE Plasma 5.27's (libnotificationmanager's server). */
export const KDE_CAPABILITIES = [
  'body',
  'body-hyperlinks',
  'body-markup',
  'body-images',
  'icon-static',
  'actions',
  'persistence',
  'inline-reply',
  'x-kde-urls',
  'x-kde-origin-name',
  'x-kde-display-appname',
  'inhibitions',
];

/** A server that shows the body as plain text (mako with markup=0 announces this). */
export const NO_MARKUP = ['actions', 'body', 'icon-static', 'persistence'];

/** One Notify call as the server received it. */
export interface NotifyCall {
  call: 'Notify';
  /** The id the server answered with. */
  id: number;
  /** Whether replaces_id named an open notification, whose place this one took. */
  replaced: boolean;
  app_name: string;
  replaces_id: number;
  app_icon: string;
  summary: string;
  body: string;
  actions: string[];
  hints: Record<string, unknown>;
  /** Each hint's D-Bus type code ("s", "b", "y", …). */
  hint_types: Record<string, string>;
  expire_timeout: number;
  /**
   * With body-markup announced, the body as markup (XML) is read: its text and elements,
   * or the parser's error where it is not well-formed.
   */
  body_markup?: { text: string; elements: string[] } | { error: string };
}

/** One CloseNotification call. */
export interface CloseCall {
  call: 'CloseNotification';
  id: number;
  was_open: boolean;
}

/** A signal a test asked the server (or a foreign connection) to emit. */
export type EmitCommand =
  | { emit: 'ActionInvoked'; id: number; key: string; foreign?: boolean }
  | { emit: 'NotificationClosed'; id: number; reason?: number; foreign?: boolean };

/** A signal sent on the test's request, and the unique name it was sent from. */
export type EmittedRecord = EmitCommand & { call: 'emitted'; sender: string };

export type ServerRecord = NotifyCall | CloseCall | EmittedRecord;

/** A running private bus and notification server. */
export interface NotificationBus {
  /** DBUS_SESSION_BUS_ADDRESS of the private bus. */
  address: string;
  /** Everything the server received, in order. */
  records: EventLog<ServerRecord>;
  /** The Notify calls so far. */
  notifications(): NotifyCall[];
  /** Resolves with all the Notify calls once there are at least `count` of them. */
  waitForNotifications(count: number, timeoutMs?: number): Promise<NotifyCall[]>;
  /** The ids of the notifications still open (shown and neither replaced away nor closed). */
  open(): number[];
  /** Emits a signal (see EmitCommand); resolves once it is on the bus. */
  emit(command: EmitCommand): Promise<EmittedRecord>;
  /** The file the server also appends its records to (JSON lines). */
  logFile: string;
  stderr(): string;
  /** Ends the server, and with it the bus; resolves when dbus-run-session has exited. */
  stop(): Promise<void>;
}

export const isNotify = (record: ServerRecord): record is NotifyCall => record.call === 'Notify';

/** Starts the bus and the server; resolves once the server owns its name. */
export async function startNotificationBus(
  options: { capabilities?: string[]; timeoutMs?: number } = {},
): Promise<NotificationBus> {
  const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-popups-')), 'notify.jsonl');
  const capabilities = (options.capabilities ?? GNOME_CAPABILITIES).join(',');
  // stdin stays a pipe: its end (our stop, or this process dying) makes the server quit, and
  // dbus-run-session then stops the bus daemon it started.
  const child = spawn(
    'dbus-run-session',
    ['--', PYTHON, '-u', SERVER, '--log', logFile, '--capabilities', capabilities],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: '' } },
  );
  const records = new EventLog<ServerRecord>();
  let stderr = '';
  let buffer = '';
  let ready: (address: string) => void = () => {};
  let failed: (error: Error) => void = () => {};
  const address = new Promise<string>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const record = JSON.parse(line) as ServerRecord | { call: 'ready'; address: string };
      if (record.call === 'ready') ready(record.address);
      else records.push(record);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', (error) => failed(error));
  void exited.then(() => failed(new Error(`the notification bus exited before ready:\n${stderr}`)));
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timer = setTimeout(
    () => failed(new Error(`no notification server after ${timeoutMs} ms:\n${stderr}`)),
    timeoutMs,
  );
  let busAddress: string;
  try {
    busAddress = await address;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const notifications = () => records.items.filter(isNotify);
  return {
    address: busAddress,
    records,
    logFile,
    notifications,
    open() {
      const open = new Set<number>();
      for (const record of records.items) {
        if (record.call === 'Notify') open.add(record.id);
        else if (record.call === 'CloseNotification') open.delete(record.id);
        else if (record.emit === 'NotificationClosed' && !record.foreign) open.delete(record.id);
      }
      return [...open];
    },
    async waitForNotifications(count, waitMs = 15_000) {
      const found = await records.waitForCount(isNotify, count, 'Notify calls', waitMs);
      return found.filter(isNotify);
    },
    async emit(command) {
      const before = records.items.length;
      child.stdin.write(`${JSON.stringify(command)}\n`);
      const sent = await records.waitFor(
        (r) => r.call === 'emitted',
        `the server to emit ${command.emit}`,
        15_000,
        before,
      );
      return sent as EmittedRecord;
    },
    stderr: () => stderr,
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
