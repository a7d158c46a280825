/**
 * Whether the desktop shows tray icons, asked on a private D-Bus session bus (dbus-daemon,
 * never the desktop's own) where a StatusNotifierItem host is absent, then present.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_NOTIFIER_WATCHER, trayHostPresent } from '../../app/main/electron/tray-host.js';

let bus: ChildProcess;
let address: string;

beforeAll(async () => {
  bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  address = await new Promise<string>((resolve, reject) => {
    bus.once('error', reject);
    bus.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
});
afterAll(() => {
  bus?.kill();
});

/** Asks with the real dbus-send on the private bus. */
async function askPrivateBus(): Promise<boolean> {
  const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = address;
  try {
    return await trayHostPresent('linux');
  } finally {
    if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
  }
}

describe('trayHostPresent', () => {
  it('says no on a Linux session bus without a StatusNotifierItem host, yes once one is there', async () => {
    expect(await askPrivateBus()).toBe(false);
    // A host owning the watcher's name (python3-dbus, as the popups test's server uses).
    const host = spawn(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import dbus, sys, time',
          'bus = dbus.bus.BusConnection(sys.argv[1])',
          `bus.request_name("${STATUS_NOTIFIER_WATCHER}")`,
          'print("ready", flush=True)',
          'time.sleep(30)',
        ].join('\n'),
        address,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise((resolve) => host.stdout?.once('data', resolve));
      expect(await askPrivateBus()).toBe(true);
    } finally {
      host.kill();
    }
  });

  it('assumes a tray on macOS and Windows, and when the bus cannot be asked', async () => {
    expect(await trayHostPresent('darwin', () => Promise.reject(new Error('unused')))).toBe(true);
    expect(await trayHostPresent('win32', () => Promise.reject(new Error('unused')))).toBe(true);
    const noDbusSend = () => Promise.reject(Object.assign(new Error('spawn'), { code: 'ENOENT' }));
    expect(await trayHostPresent('linux', noDbusSend)).toBe(true);
  });
});
