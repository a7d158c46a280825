/**
 * Desktop popups of `tidings watch`. On Linux the real child process runs: a fake
 * `notify-send` first in PATH records its argv, NUL-separated, so the test sees exactly what
 * libnotify would have parsed.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DesktopNotifier } from '../../app/main/cli/desktop-notifier.js';
import type { Announcement, Logger } from '../../app/main/engine/index.js';

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

function message(from: string, subject: string): Announcement {
  return {
    kind: 'message',
    message: {
      account: 'work',
      mailbox: 'INBOX',
      uidValidity: 1,
      uid: 7,
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

const linux = (preferences = { showSubject: true, sound: true }) => ({
  preferences,
  platform: 'linux' as const,
});
const names = new Map([['work', 'Work']]);

describe.skipIf(process.platform === 'win32')('DesktopNotifier on Linux', () => {
  it('passes sender and subject after "--", the body markup-escaped, the title as is', async () => {
    const fake = fakeNotifySend();
    const notifier = new DesktopNotifier(names, newLogger(), linux());
    notifier.notify(message('--urgency=critical <b>Ann</b>', `<b>x</b> & y "q" 'r'`));
    const argv = await fake.nextArgv();
    expect(argv.slice(-3)).toEqual([
      '--',
      '--urgency=critical <b>Ann</b>',
      '&lt;b&gt;x&lt;/b&gt; &amp; y &quot;q&quot; &apos;r&apos;',
    ]);
    expect(argv.slice(0, -3).every((arg) => arg.startsWith('--') && arg !== '--')).toBe(true);
  });

  it('doubles backslashes in the body, which notify-send reads as C escapes', async () => {
    const fake = fakeNotifySend();
    new DesktopNotifier(names, newLogger(), linux()).notify(message('Ann', 'C:\\new\\tmp'));
    expect((await fake.nextArgv()).at(-1)).toBe('C:\\\\new\\\\tmp');
  });

  it('asks for the new-mail sound when sound is on', async () => {
    const fake = fakeNotifySend();
    new DesktopNotifier(names, newLogger(), linux()).notify(message('Ann', 'Hi'));
    const argv = await fake.nextArgv();
    expect(argv).toContain('--hint=string:sound-name:message-new-email');
    expect(argv).not.toContain('--hint=boolean:suppress-sound:true');
  });

  it('asks for silence when sound is off', async () => {
    const fake = fakeNotifySend();
    const preferences = { showSubject: true, sound: false };
    new DesktopNotifier(names, newLogger(), linux(preferences)).notify(message('Ann', 'Hi'));
    const argv = await fake.nextArgv();
    expect(argv).toContain('--hint=boolean:suppress-sound:true');
    expect(argv.some((arg) => arg.includes('sound-name'))).toBe(false);
  });

  it('keeps sender and subject out of the popup when showSubject is off', async () => {
    const fake = fakeNotifySend();
    const preferences = { showSubject: false, sound: true };
    new DesktopNotifier(names, newLogger(), linux(preferences)).notify(
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
    const notifier = new DesktopNotifier(names, logger, linux(preferences));
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
    const notifier = new DesktopNotifier(names, logger, linux());
    expect(() => notifier.notify(message('Ann', 'One'))).not.toThrow();
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1));
    expect(() => notifier.notify(message('Ann', 'Two'))).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('logs one warning, without the popup text, when there is no notification daemon', async () => {
    const fake = fakeNotifySend(`echo 'Cannot autolaunch D-Bus without X11 $DISPLAY' >&2; exit 1`);
    const logger = newLogger();
    const notifier = new DesktopNotifier(names, logger, linux());
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
    const notifier = new DesktopNotifier(names, newLogger(), {
      preferences: { showSubject: false, sound },
      platform: 'darwin',
      nodeNotify,
    });
    notifier.notify(message('Ann', 'Secret plans'));
    expect(nodeNotify).toHaveBeenCalledWith(
      expect.objectContaining({ title: 'New mail in Work', message: 'INBOX', sound }),
      expect.any(Function),
    );
  });
});
