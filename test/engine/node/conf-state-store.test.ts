import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfStateStore } from '../../../app/main/engine/node/conf-state-store.js';
import { silentLogger, type Logger } from '../../../app/main/engine/base/ports.js';

const newDir = () => mkdtempSync(path.join(tmpdir(), 'tidings-state-test-'));

describe('ConfStateStore', () => {
  it('keeps cursors and Message-IDs across a reopen, mailbox names with dots included', () => {
    const dir = newDir();
    const first = new ConfStateStore(dir, silentLogger);
    first.setCursor('work', 'Lists.team', { uidValidity: 7, highestUid: 42 });
    first.setAnnouncedMessageIds('work', ['<a@x>', '<b@x>']);
    first.flush();
    const again = new ConfStateStore(dir, silentLogger);
    expect(again.getCursor('work', 'Lists.team')).toEqual({ uidValidity: 7, highestUid: 42 });
    expect(again.getAnnouncedMessageIds('work')).toEqual(['<a@x>', '<b@x>']);
  });

  it('keeps a state file that is not JSON aside, says so, and starts afresh', () => {
    const dir = newDir();
    writeFileSync(path.join(dir, 'state.json'), '{not json');
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const store = new ConfStateStore(dir, logger);
    expect(store.getCursor('work', 'INBOX')).toBeUndefined();
    const [backup] = readdirSync(dir).filter((file) => file.startsWith('state.json.invalid-'));
    expect(backup).toBeDefined();
    expect(warnings).toEqual([
      expect.stringContaining(`kept it as ${path.join(dir, backup ?? '')}`),
    ]);
    store.setCursor('work', 'INBOX', { uidValidity: 1, highestUid: 3 });
    store.flush();
    expect(new ConfStateStore(dir, silentLogger).getCursor('work', 'INBOX')).toEqual({
      uidValidity: 1,
      highestUid: 3,
    });
  });
});

describe('ConfStateStore writes', () => {
  const onDisk = (dir: string) =>
    JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as {
      cursors?: Record<string, Record<string, unknown>>;
      announcedMessageIds?: Record<string, string[]>;
    };

  it("writes one turn's changes together when the turn ends: a thousand baselines, one file", async () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    store.setCursor('work', 'INBOX', { uidValidity: 1, highestUid: 1 });
    store.flush();
    for (let i = 0; i < 1000; i++) {
      store.setCursor('work', `Folder ${i}`, { uidValidity: 1, highestUid: i });
    }
    store.setAnnouncedMessageIds('work', ['<a@x>']);
    // Nothing of this turn is on disk yet, and what is read back is what was set.
    expect(Object.keys(onDisk(dir).cursors?.work ?? {})).toEqual(['INBOX']);
    expect(store.getCursor('work', 'Folder 999')).toEqual({ uidValidity: 1, highestUid: 999 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(Object.keys(onDisk(dir).cursors?.work ?? {})).toHaveLength(1001);
    expect(onDisk(dir).announcedMessageIds).toEqual({ work: ['<a@x>'] });
  });

  it('logs a write that fails, keeps the state, and writes it all with the next change', async () => {
    const dir = newDir();
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (message) => errors.push(message) };
    const store = new ConfStateStore(dir, logger);
    store.setCursor('work', 'INBOX', { uidValidity: 1, highestUid: 1 });
    store.flush();
    // Not a permission (root writes anyway): the directory is made a file for a while.
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'in the way');
    try {
      store.setCursor('work', 'Lists', { uidValidity: 1, highestUid: 2 });
      // From the event loop: a throw there would end the process.
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toEqual([
        expect.stringContaining(`could not write the state file ${store.path}`),
      ]);
      expect(store.getCursor('work', 'Lists')).toEqual({ uidValidity: 1, highestUid: 2 });
    } finally {
      rmSync(dir);
      mkdirSync(dir);
    }
    store.setCursor('work', 'Team', { uidValidity: 1, highestUid: 3 });
    store.flush();
    expect(Object.keys(onDisk(dir).cursors?.work ?? {})).toEqual(['INBOX', 'Lists', 'Team']);
  });

  it('writes at once on flush, and a flush with nothing pending writes nothing', () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    store.flush();
    expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
    store.setCursor('work', 'INBOX', { uidValidity: 2, highestUid: 5 });
    store.flush();
    expect(onDisk(dir).cursors).toEqual({ work: { INBOX: { uidValidity: 2, highestUid: 5 } } });
  });
});

describe('ConfStateStore file modes', () => {
  // The state names accounts, mailboxes and Message-IDs: other local users must not read it.
  const modeOf = (file: string) => statSync(file).mode & 0o777;
  let previousUmask = 0;
  beforeEach(() => {
    previousUmask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(previousUmask);
  });

  it('creates a missing state directory 0700 and the state file 0600, under a umask of 022', () => {
    const parent = path.join(newDir(), 'tidings');
    const dir = path.join(parent, 'state');
    const store = new ConfStateStore(dir, silentLogger);
    store.setCursor('work', 'INBOX', { uidValidity: 1, highestUid: 3 });
    store.flush();
    expect(modeOf(parent)).toBe(0o700);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(store.path)).toBe(0o600);
  });

  it('tightens an existing state file to 0600 on open, and leaves a directory the user gave alone', () => {
    const dir = newDir();
    chmodSync(dir, 0o755);
    const file = path.join(dir, 'state.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    expect(modeOf(file)).toBe(0o644);
    const store = new ConfStateStore(dir, silentLogger);
    expect(modeOf(file)).toBe(0o600);
    store.setAnnouncedMessageIds('work', ['<a@x>']);
    store.flush();
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(dir)).toBe(0o755);
  });
});
