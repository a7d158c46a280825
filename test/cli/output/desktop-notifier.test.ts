/**
 * Desktop popups of `tidings watch`. On Linux the real child process runs: a fake
 * `notify-send` first in PATH records its argv, NUL-separated, so the test sees exactly what
 * libnotify would have parsed.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DesktopNotifier } from '../../../app/main/cli/output/desktop-notifier.js';
import type { Announcement, Logger } from '../../../app/main/engine/index.js';
import {
  settingsSchema,
  type AccountSettings,
  type Settings,
} from '../../../app/common/settings-schema.js';

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

function newLogger() {
  return {
    debug: vi.fn<(message: string) => void>(),
    info: vi.fn<(message: string) => void>(),
    warn: vi.fn<(message: string) => void>(),
    error: vi.fn<(message: string) => void>(),
  } satisfies Logger;
}

// Each message its own UID, as the engine announces them (popups are withdrawn by UID).
let uid = 6;

function message(from: string, subject: string): Announcement {
  return {
    kind: 'message',
    message: {
      account: 'work',
      mailbox: 'INBOX',
      uidValidity: 1,
      uid: ++uid,
      messageId: null,
      from,
      subject,
    },
    at: new Date(),
  };
}

/** Puts a fake notify-send first in PATH; `script` runs after the argv has been recorded. */
function fakeNotifySend(script = '') {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-notify-send-'));
  const argvFile = path.join(dir, 'argv');
  const callsFile = path.join(dir, 'calls');
  // Shell builtins only: the missing-command test runs with this dir alone in PATH.
  writeFileSync(
    path.join(dir, 'notify-send'),
    [
      '#!/bin/sh',
      `echo call >> '${callsFile}'`,
      script,
      `printf '%s\\0' "$@" > '${argvFile}.tmp'`,
      `: > '${argvFile}.done'`,
    ].join('\n'),
  );
  chmodSync(path.join(dir, 'notify-send'), 0o755);
  process.env.PATH = `${dir}${path.delimiter}${originalPath ?? ''}`;
  return {
    dir,
    calls: () =>
      existsSync(callsFile) ? readFileSync(callsFile, 'utf8').split('\n').length - 1 : 0,
    /** Waits for the next recorded call and returns its argv. */
    async nextArgv(): Promise<string[]> {
      await vi.waitFor(() => expect(existsSync(`${argvFile}.done`)).toBe(true), { timeout: 5_000 });
      const argv = readFileSync(`${argvFile}.tmp`, 'utf8').split('\0').slice(0, -1);
      rmSync(`${argvFile}.done`);
      return argv;
    },
  };
}

/** Settings with one account "work" named Work, and these notification preferences. */
function settingsWith(
  preferences: Partial<Settings['notifications']> = {},
  account: Partial<AccountSettings> = {},
): () => Settings {
  const settings = settingsSchema.parse({
    accounts: [{ id: 'work', name: 'Work', host: 'h', user: 'u', password: 'p', ...account }],
    notifications: { showSubject: true, sound: true, ...preferences },
  });
  return () => settings;
}

const linux = (preferences: Partial<Settings['notifications']> = {}) => ({
  settings: settingsWith(preferences),
  platform: 'linux' as const,
});

describe.skipIf(process.platform === 'win32')('DesktopNotifier on Linux', () => {
  it('passes sender and subject after "--", the body markup-escaped, the title as is', async () => {
    const fake = fakeNotifySend();
    const notifier = new DesktopNotifier(newLogger(), linux());
    notifier.notify(message('--urgency=critical <b>Ann</b>', `<b>x</b> & y "q" 'r'`));
    const argv = await fake.nextArgv();
    expect(argv.slice(-3)).toEqual([
      '--',
      '--urgency=critical <b>Ann</b>',
      '&lt;b&gt;x&lt;/b&gt; &amp; y &quot;q&quot; &apos;r&apos;',
    ]);
    expect(argv.slice(0, -3).every((arg) => arg.startsWith('--') && arg !== '--')).toBe(true);
  });

  it('shows the preview on a line under the subject, markup-escaped, and none with previews off', async () => {
    const fake = fakeNotifySend();
    const withPreview = message('Ann', 'Hi');
    withPreview.message.preview = 'See <a href="x">this</a> & that';
    new DesktopNotifier(newLogger(), linux()).notify(withPreview);
    expect((await fake.nextArgv()).at(-1)).toBe(
      'Hi\nSee &lt;a href=&quot;x&quot;&gt;this&lt;/a&gt; &amp; that',
    );
    new DesktopNotifier(newLogger(), linux({ preview: false })).notify(withPreview);
    expect((await fake.nextArgv()).at(-1)).toBe('Hi');
  });

  it('doubles backslashes in the body, which notify-send reads as C escapes', async () => {
    const fake = fakeNotifySend();
    new DesktopNotifier(newLogger(), linux()).notify(message('Ann', 'C:\\new\\tmp'));
    expect((await fake.nextArgv()).at(-1)).toBe('C:\\\\new\\\\tmp');
  });

  it('asks for the new-mail sound when sound is on', async () => {
    const fake = fakeNotifySend();
    new DesktopNotifier(newLogger(), linux()).notify(message('Ann', 'Hi'));
    const argv = await fake.nextArgv();
    expect(argv).toContain('--hint=string:sound-name:message-new-email');
    expect(argv).not.toContain('--hint=boolean:suppress-sound:true');
  });

  it('asks for silence when sound is off', async () => {
    const fake = fakeNotifySend();
    const preferences = { showSubject: true, sound: false };
    new DesktopNotifier(newLogger(), linux(preferences)).notify(message('Ann', 'Hi'));
    const argv = await fake.nextArgv();
    expect(argv).toContain('--hint=boolean:suppress-sound:true');
    expect(argv.some((arg) => arg.includes('sound-name'))).toBe(false);
  });

  it('keeps sender and subject out of the popup when showSubject is off', async () => {
    const fake = fakeNotifySend();
    const preferences = { showSubject: false, sound: true };
    new DesktopNotifier(newLogger(), linux(preferences)).notify(
      message('Ann <ann@example.org>', 'Secret plans'),
    );
    const argv = await fake.nextArgv();
    expect(argv.slice(-3)).toEqual(['--', 'New mail in Work', 'INBOX']);
    expect(argv.join(' ')).not.toMatch(/Ann|Secret/);
  });

  it('shows the popup without the silence hint where notify-send has no boolean hints', async () => {
    // libnotify before 0.7.11 rejects the hint type and then shows nothing at all.
    const fake = fakeNotifySend(
      `case "$*" in *--hint=boolean:*) echo 'Invalid hint type "boolean". Valid types are int, double, string and byte.' >&2; exit 1;; esac`,
    );
    const logger = newLogger();
    const preferences = { showSubject: true, sound: false };
    const notifier = new DesktopNotifier(logger, linux(preferences));
    notifier.notify(message('Ann', 'First'));
    expect((await fake.nextArgv()).slice(-3)).toEqual(['--', 'Ann', 'First']);
    notifier.notify(message('Ann', 'Second'));
    expect((await fake.nextArgv()).slice(-3)).toEqual(['--', 'Ann', 'Second']);
    expect(fake.calls()).toBe(3);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('logs one warning, and throws nothing, when notify-send is missing', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'tidings-no-notify-send-'));
    process.env.PATH = empty;
    const logger = newLogger();
    const notifier = new DesktopNotifier(logger, linux());
    expect(() => notifier.notify(message('Ann', 'One'))).not.toThrow();
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1));
    expect(() => notifier.notify(message('Ann', 'Two'))).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('logs one warning, without the popup text, when there is no notification daemon', async () => {
    const fake = fakeNotifySend(`echo 'Cannot autolaunch D-Bus without X11 $DISPLAY' >&2; exit 1`);
    const logger = newLogger();
    const notifier = new DesktopNotifier(logger, linux());
    notifier.notify(message('Ann', 'Private subject'));
    notifier.notify(message('Ann', 'Private subject'));
    await vi.waitFor(() => expect(fake.calls()).toBe(2));
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/D-Bus/);
    expect(String(logger.warn.mock.calls[0]?.[0])).not.toMatch(/Private/);
  });
});

describe('DesktopNotifier on macOS and Windows', () => {
  it.each([true, false])('passes sound %s to node-notifier and honours showSubject', (sound) => {
    const nodeNotify = vi.fn();
    const notifier = new DesktopNotifier(newLogger(), {
      settings: settingsWith({ showSubject: false, sound }),
      platform: 'darwin',
      nodeNotify,
    });
    notifier.notify(message('Ann', 'Secret plans'));
    expect(nodeNotify).toHaveBeenCalledWith(
      expect.objectContaining({ title: 'New mail in Work', message: 'INBOX', sound }),
      expect.any(Function),
    );
  });

  it('shows a storm as a few popups, its summary grouped so each update replaces the last', async () => {
    const nodeNotify = vi.fn();
    const notifier = new DesktopNotifier(newLogger(), {
      settings: settingsWith({ burstThreshold: 2 }),
      platform: 'darwin',
      nodeNotify,
    });
    for (let i = 0; i < 10; i++) notifier.notify(message(`Sender ${i} <s${i}@x.test>`, `m${i}`));
    await vi.waitFor(() => expect(nodeNotify).toHaveBeenCalledTimes(4));
    const shown = nodeNotify.mock.calls.map(([n]) => n as Record<string, unknown>);
    expect(shown.map((n) => [n.title, n.group])).toEqual([
      ['Sender 0 <s0@x.test>', undefined],
      ['Sender 1 <s1@x.test>', undefined],
      ['3 new messages in Work', 'tidings:work/INBOX'],
      ['10 new messages in Work', 'tidings:work/INBOX'],
    ]);
    // Only the storm's first summary makes a sound; its update is silent.
    expect(shown.map((n) => n.sound)).toEqual([true, true, true, false]);
    notifier.close();
  });
});

describe.skipIf(process.platform === 'win32')('DesktopNotifier storms on Linux', () => {
  it('replaces the summary in place with notify-send --replace-id as the storm goes on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-notify-send-'));
    const log = path.join(dir, 'log');
    // Prints its own pid as the notification id (--print-id), and logs pid and argv.
    writeFileSync(
      path.join(dir, 'notify-send'),
      `#!/bin/sh\nprintf '%s' "$$" >> '${log}'; printf '\\037%s' "$@" >> '${log}'; printf '\\n' >> '${log}'; echo $$\n`,
    );
    chmodSync(path.join(dir, 'notify-send'), 0o755);
    process.env.PATH = `${dir}${path.delimiter}${originalPath ?? ''}`;
    const notifier = new DesktopNotifier(newLogger(), linux({ burstThreshold: 2 }));
    const calls = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => line.split('\u001f'))
        : [];
    // Three in one sync: the summary waits for the second popup's id and takes its place.
    notifier.notify(message('Ann <ann@x.test>', 'one'));
    notifier.notify(message('Bob <bob@x.test>', 'two'));
    notifier.notify(message('Cat <cat@x.test>', 'three'));
    await vi.waitFor(() => expect(calls()).toHaveLength(3));
    const summary = calls().find((call) => call.includes('3 new messages in Work'));
    const second = calls().find((call) => call.includes('Bob <bob@x.test>'));
    expect(summary).toContain(`--replace-id=${second?.[0]}`);
    notifier.notify(message('Dan <dan@x.test>', 'four'));
    await vi.waitFor(() => expect(calls()).toHaveLength(4));
    const update = calls().find((call) => call.includes('4 new messages in Work'));
    expect(update).toContain(`--replace-id=${summary?.[0]}`);
    expect(update?.slice(-2)).toEqual(['4 new messages in Work', 'INBOX — from Ann, Bob, Cat, …']);
    notifier.close();
  });
});
