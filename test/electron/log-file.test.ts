import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileLogger, rotatedName } from '../../app/main/electron/log-file.js';

const fixedNow = () => new Date('2026-12-01T10:00:00.000Z');

function logDir() {
  return path.join(mkdtempSync(path.join(tmpdir(), 'tidings-log-')), 'logs');
}

describe('createFileLogger', () => {
  it('appends timestamped lines to a private file in a private directory', () => {
    const dir = logDir();
    const logger = createFileLogger(path.join(dir, 'tidings.log'), { now: fixedNow });
    logger.info('started');
    logger.warn('work/INBOX: backoff');
    logger.debug('not written without debug');
    // Says so, and imapflow serializes no protocol line for it (imap-logger.ts).
    expect(logger.debugEnabled).toBe(false);
    expect(readFileSync(logger.path, 'utf8')).toBe(
      '2026-12-01T10:00:00.000Z info started\n2026-12-01T10:00:00.000Z warn work/INBOX: backoff\n',
    );
    expect(statSync(logger.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('rotates by size and keeps only the newest files', () => {
    const file = path.join(logDir(), 'tidings.log');
    const logger = createFileLogger(file, { maxBytes: 200, keep: 2, now: fixedNow });
    for (let i = 0; i < 40; i++)
      logger.info(`line ${String(i).padStart(2, '0')} ${'x'.repeat(20)}`);
    expect(readdirSync(path.dirname(file)).sort()).toEqual([
      'tidings.1.log',
      'tidings.2.log',
      'tidings.log',
    ]);
    for (const name of [file, rotatedName(file, 1), rotatedName(file, 2)]) {
      expect(statSync(name).size).toBeLessThanOrEqual(200);
    }
    expect(readFileSync(file, 'utf8')).toContain('line 39');
    // Nothing lost between the kept generations: they hold a contiguous run up to the last line.
    const kept = [rotatedName(file, 2), rotatedName(file, 1), file]
      .map((name) => readFileSync(name, 'utf8'))
      .join('')
      .match(/line (\d+)/g)
      ?.map((entry) => Number(entry.slice(5)));
    expect(kept?.at(-1)).toBe(39);
    expect(kept).toEqual(kept?.map((_, i) => (kept[0] ?? 0) + i));
  });

  it('keeps each entry on lines of its own, so a hostile message cannot forge a log line', () => {
    const logger = createFileLogger(path.join(logDir(), 'tidings.log'), { now: fixedNow });
    logger.warn('BYE \u001b[31mred\u001b[0m\n2026-01-01T00:00:00.000Z info forged\u202e');
    const text = readFileSync(logger.path, 'utf8');
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202e');
    expect(text).toContain('BYE red');
    expect(text.split('\n').filter((line) => /^\d{4}-/.test(line))).toHaveLength(1);
  });

  it('stops quietly instead of throwing when the file cannot be written', () => {
    const dir = logDir();
    mkdirSync(dir, { recursive: true });
    // The log path is a directory: every append fails.
    const logger = createFileLogger(dir, { now: fixedNow });
    expect(() => logger.error('cannot be written')).not.toThrow();
    expect(() => logger.error('nor this')).not.toThrow();
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});
