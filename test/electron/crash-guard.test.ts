/**
 * Crash safety: the first uncaught exception or unhandled rejection is logged with its stack,
 * leaves a note, and quits with code 1; the next start takes the note (once) for the tray.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  CRASH_NOTE,
  installCrashGuard,
  recoveredLine,
  takeCrashNote,
} from '../../app/main/electron/crash-guard.js';

function guarded() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-crash-'));
  const target = new EventEmitter();
  const logged: string[] = [];
  const logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message: string) => logged.push(message),
  };
  const quit = vi.fn();
  const now = () => new Date('2026-12-06T14:02:00Z');
  installCrashGuard(target, { logger, dir, quit, now });
  return { dir, target, logged, quit };
}

describe('the crash guard', () => {
  it('logs an uncaught exception with its stack, leaves a note and quits with code 1', () => {
    const { dir, target, logged, quit } = guarded();
    const error = new TypeError('cannot read "x"\u001b[31m of undefined');
    target.emit('uncaughtException', error);
    expect(quit).toHaveBeenCalledExactlyOnceWith(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^uncaught exception, quitting:\nTypeError: cannot read "x"/);
    expect(logged[0]).toContain('crash-guard.test.ts');
    // Terminal escapes from whatever the message quoted do not reach the log.
    expect(logged[0]).not.toContain('\u001b');
    const note = JSON.parse(readFileSync(path.join(dir, CRASH_NOTE), 'utf8')) as object;
    expect(note).toEqual({
      at: '2026-12-06T14:02:00.000Z',
      message: expect.stringMatching(/^TypeError: cannot read "x"/) as string,
    });
    expect(statSync(path.join(dir, CRASH_NOTE)).mode & 0o777).toBe(0o600);
  });

  it('takes an unhandled rejection the same way, once', () => {
    const { target, logged, quit } = guarded();
    target.emit('unhandledRejection', new Error('first'));
    target.emit('uncaughtException', new Error('second'));
    expect(quit).toHaveBeenCalledOnce();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^unhandled rejection, quitting:\nError: first/);
  });

  it('hands the note to the next start once, and removes it', () => {
    const { dir, target } = guarded();
    target.emit('uncaughtException', new Error('boom'));
    const note = takeCrashNote(dir);
    expect(note).toEqual({ at: '2026-12-06T14:02:00.000Z', message: 'Error: boom' });
    if (!note) return;
    expect(existsSync(path.join(dir, CRASH_NOTE))).toBe(false);
    expect(takeCrashNote(dir)).toBeUndefined();
    expect(recoveredLine(note, new Date('2026-12-06T18:00:00Z'))).toMatch(
      /^Recovered from a crash at .+ — see Show log$/,
    );
  });

  it('drops a malformed note without failing the start', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-crash-'));
    writeFileSync(path.join(dir, CRASH_NOTE), '{"at": "not a date"');
    expect(takeCrashNote(dir)).toBeUndefined();
    expect(existsSync(path.join(dir, CRASH_NOTE))).toBe(false);
  });
});
