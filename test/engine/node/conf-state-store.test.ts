import {
  appendFileSync,
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
const journalOf = (dir: string) => path.join(dir, 'state.journal');
const journalLines = (dir: string) => readFileSync(journalOf(dir), 'utf8').split('\n').slice(0, -1);
const onDisk = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as {
    cursors?: Record<string, Record<string, unknown>>;
    announcedMessageIds?: Record<string, string[]>;
  };
/** Lets the store's end-of-turn write run. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

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
  it("appends one turn's changes as one journal line when the turn ends: a thousand baselines", async () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    store.setCursor('work', 'INBOX', { uidValidity: 1, highestUid: 1 });
    store.flush();
    const snapshot = statSync(store.path).ino;
    for (let i = 0; i < 1000; i++) {
      store.setCursor('work', `Folder ${i}`, { uidValidity: 1, highestUid: i });
    }
    store.setAnnouncedMessageIds('work', ['<a@x>']);
    // Nothing of this turn is on disk yet, and what is read back is what was set.
    expect(existsSync(journalOf(dir))).toBe(false);
    expect(store.getCursor('work', 'Folder 999')).toEqual({ uidValidity: 1, highestUid: 999 });
    await nextTurn();
    // The header and one line; state.json is not replaced.
    expect(journalLines(dir)).toHaveLength(2);
    expect(statSync(store.path).ino).toBe(snapshot);
    const again = new ConfStateStore(dir, silentLogger);
    expect(again.getCursor('work', 'Folder 999')).toEqual({ uidValidity: 1, highestUid: 999 });
    expect(again.getAnnouncedMessageIds('work')).toEqual(['<a@x>']);
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
      await nextTurn();
      expect(errors).toEqual([
        expect.stringContaining(`could not append to the state journal ${journalOf(dir)}`),
      ]);
      expect(store.getCursor('work', 'Lists')).toEqual({ uidValidity: 1, highestUid: 2 });
      // The next turn tries a whole snapshot, which fails too, and so does a flush: logged.
      store.setCursor('work', 'Lists', { uidValidity: 1, highestUid: 3 });
      await nextTurn();
      store.flush();
      expect(errors.slice(1)).toEqual([
        expect.stringContaining(`could not write the state file ${store.path}`),
        expect.stringContaining(`could not write the state file ${store.path}`),
      ]);
    } finally {
      rmSync(dir);
      mkdirSync(dir);
    }
    // The journal missed a change: the next turn writes a whole snapshot, not a line.
    store.setCursor('work', 'Team', { uidValidity: 1, highestUid: 3 });
    await nextTurn();
    expect(onDisk(dir).cursors?.work).toEqual({
      INBOX: { uidValidity: 1, highestUid: 1 },
      Lists: { uidValidity: 1, highestUid: 3 },
      Team: { uidValidity: 1, highestUid: 3 },
    });
    expect(existsSync(journalOf(dir))).toBe(false);
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

describe('ConfStateStore journal', () => {
  const cursor = (highestUid: number) => ({ uidValidity: 1, highestUid });
  const ids = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `<${from + i}@example.org>`);
  const warningsInto = (warnings: string[]): Logger => ({
    ...silentLogger,
    warn: (message) => warnings.push(message),
  });

  it('keeps changes a crash left in the journal: a reopen replays it over the snapshot and compacts', async () => {
    const dir = newDir();
    const first = new ConfStateStore(dir, silentLogger);
    first.setCursor('work', 'INBOX', cursor(1));
    first.setAnnouncedMessageIds('work', ['<a@x>']);
    first.flush();
    first.setCursor('work', 'INBOX', cursor(2));
    await nextTurn();
    first.setCursor('home', 'Lists.team', cursor(7));
    first.setAnnouncedMessageIds('work', ['<a@x>', '<b@x>']);
    await nextTurn();
    // No flush: the process ends here.
    expect(onDisk(dir).cursors).toEqual({ work: { INBOX: cursor(1) } });
    expect(journalLines(dir)).toHaveLength(3);
    const again = new ConfStateStore(dir, silentLogger);
    expect(again.getCursor('work', 'INBOX')).toEqual(cursor(2));
    expect(again.getCursor('home', 'Lists.team')).toEqual(cursor(7));
    expect(again.getAnnouncedMessageIds('work')).toEqual(['<a@x>', '<b@x>']);
    // Compacted on open: all of it in state.json, no journal.
    expect(existsSync(journalOf(dir))).toBe(false);
    expect(onDisk(dir)).toEqual({
      cursors: { work: { INBOX: cursor(2) }, home: { 'Lists.team': cursor(7) } },
      announcedMessageIds: { work: ['<a@x>', '<b@x>'] },
    });
  });

  it('replays a journal begun before there was any state.json', async () => {
    const dir = newDir();
    const first = new ConfStateStore(dir, silentLogger);
    first.setCursor('work', 'INBOX', cursor(3));
    await nextTurn();
    expect(existsSync(first.path)).toBe(false);
    expect(new ConfStateStore(dir, silentLogger).getCursor('work', 'INBOX')).toEqual(cursor(3));
  });

  it('reads the snapshot alone after a compaction, and a later journal over it', async () => {
    const dir = newDir();
    const first = new ConfStateStore(dir, silentLogger);
    first.setCursor('work', 'INBOX', cursor(4));
    first.flush();
    expect(existsSync(journalOf(dir))).toBe(false);
    const second = new ConfStateStore(dir, silentLogger);
    expect(second.getCursor('work', 'INBOX')).toEqual(cursor(4));
    second.setCursor('work', 'INBOX', cursor(5));
    await nextTurn();
    expect(new ConfStateStore(dir, silentLogger).getCursor('work', 'INBOX')).toEqual(cursor(5));
  });

  it('logs Message-IDs as what was dropped and added, and they come back whole; an unrelated list too', async () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    const full = ids(0, 5000);
    store.setAnnouncedMessageIds('work', full);
    store.flush();
    // Two announcements in one turn, as the announcer hands them over: the whole list each time.
    const once = [...full.slice(1), '<new1@example.org>'];
    store.setAnnouncedMessageIds('work', once);
    const twice = [...once.slice(1), '<new2@example.org>'];
    store.setAnnouncedMessageIds('work', twice);
    await nextTurn();
    const [, line] = journalLines(dir);
    expect(JSON.parse(line ?? '')).toEqual({
      ids: { work: { drop: 2, add: ['<new1@example.org>', '<new2@example.org>'] } },
    });
    expect(new ConfStateStore(dir, silentLogger).getAnnouncedMessageIds('work')).toEqual(twice);
    const unrelated = ['<z@x>', '<y@x>'];
    const reopened = new ConfStateStore(dir, silentLogger);
    reopened.setAnnouncedMessageIds('work', unrelated);
    await nextTurn();
    expect(JSON.parse(journalLines(dir)[1] ?? '')).toEqual({ ids: { work: { all: unrelated } } });
    expect(new ConfStateStore(dir, silentLogger).getAnnouncedMessageIds('work')).toEqual(unrelated);
  });

  it('leaves out a last line cut short by a crash, says so, and replays the turns before it', async () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    store.setCursor('work', 'INBOX', cursor(1));
    await nextTurn();
    store.setCursor('work', 'INBOX', cursor(2));
    await nextTurn();
    appendFileSync(journalOf(dir), '{"cursors":{"work":{"INBOX":{"uidVal');
    const warnings: string[] = [];
    const again = new ConfStateStore(dir, warningsInto(warnings));
    expect(again.getCursor('work', 'INBOX')).toEqual(cursor(2));
    expect(warnings).toEqual([expect.stringContaining('last line was cut short')]);
    expect(readdirSync(dir).filter((file) => file.includes('invalid'))).toEqual([]);
  });

  it('stops replaying at a garbled line in the middle, says so, and keeps the journal aside', async () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    store.setCursor('work', 'INBOX', cursor(1));
    await nextTurn();
    appendFileSync(journalOf(dir), 'garbage\n');
    store.setCursor('work', 'INBOX', cursor(3));
    await nextTurn();
    const text = readFileSync(journalOf(dir), 'utf8');
    const warnings: string[] = [];
    const again = new ConfStateStore(dir, warningsInto(warnings));
    // The turn after the garbled line is not replayed: the cursor lags, never leads.
    expect(again.getCursor('work', 'INBOX')).toEqual(cursor(1));
    const [backup] = readdirSync(dir).filter((file) => file.startsWith('state.journal.invalid-'));
    expect(backup).toBeDefined();
    expect(readFileSync(path.join(dir, backup ?? ''), 'utf8')).toBe(text);
    expect(warnings).toEqual([
      expect.stringContaining(`line 3 is not a change that fits; replayed the 1 before it`),
    ]);
  });

  it('stops replaying at a change that does not fit the list before it, and keeps the journal aside', async () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    store.setAnnouncedMessageIds('work', ['<a@x>']);
    store.flush();
    store.setCursor('work', 'INBOX', cursor(1));
    await nextTurn();
    appendFileSync(journalOf(dir), '{"ids":{"work":{"drop":5,"add":["<z@x>"]}}}\n');
    store.setCursor('work', 'INBOX', cursor(2));
    await nextTurn();
    const warnings: string[] = [];
    const again = new ConfStateStore(dir, warningsInto(warnings));
    expect(again.getAnnouncedMessageIds('work')).toEqual(['<a@x>']);
    expect(again.getCursor('work', 'INBOX')).toEqual(cursor(1));
    expect(warnings).toEqual([expect.stringContaining('line 3 is not a change that fits')]);
    expect(
      readdirSync(dir).filter((file) => file.startsWith('state.journal.invalid-')),
    ).toHaveLength(1);
  });

  it('does not replay a journal that a compaction cut short left behind its new snapshot', async () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    store.setAnnouncedMessageIds('work', ids(0, 4));
    store.flush();
    store.setAnnouncedMessageIds('work', [...ids(2, 4), '<new@x>']);
    await nextTurn();
    const leftBehind = readFileSync(journalOf(dir));
    // The crash: the new snapshot written, the journal not yet removed.
    store.flush();
    writeFileSync(journalOf(dir), leftBehind);
    const warnings: string[] = [];
    const again = new ConfStateStore(dir, warningsInto(warnings));
    // Replayed again, the change would have dropped two more and added '<new@x>' twice.
    expect(again.getAnnouncedMessageIds('work')).toEqual([...ids(2, 4), '<new@x>']);
    expect(warnings).toEqual([expect.stringContaining('follows another state file')]);
    expect(existsSync(journalOf(dir))).toBe(false);
  });

  it('appends a cursor change in the same bytes whether 10 or 5,000 mailboxes are watched, state.json untouched', async () => {
    const appended = async (mailboxes: number) => {
      const dir = newDir();
      const store = new ConfStateStore(dir, silentLogger);
      for (let i = 0; i < mailboxes; i++) store.setCursor('work', `Folder ${i}`, cursor(i));
      store.setAnnouncedMessageIds('work', ids(0, 5000));
      store.flush();
      const snapshot = statSync(store.path);
      store.setCursor('work', 'Folder 1', cursor(100_000));
      await nextTurn();
      const [header, line] = journalLines(dir);
      expect(statSync(store.path).ino).toBe(snapshot.ino);
      return { snapshot: snapshot.size, header: header?.length, line: line?.length };
    };
    const few = await appended(10);
    const many = await appended(5000);
    expect(many.snapshot).toBeGreaterThan(few.snapshot + 200_000);
    expect(many.line).toBe(few.line);
    expect(many.header).toBe(few.header);
    expect((few.line ?? 0) + (few.header ?? 0)).toBeLessThan(200);
  });

  it('folds the journal into a new snapshot once it outgrows 64 KiB and the snapshot', async () => {
    const dir = newDir();
    const store = new ConfStateStore(dir, silentLogger);
    store.setCursor('work', 'INBOX', cursor(0));
    store.flush();
    const snapshot = statSync(store.path).ino;
    const long = 'x'.repeat(200);
    const sizes: number[] = [];
    for (let turn = 1; turn <= 50; turn++) {
      for (let i = 0; i < 10; i++) store.setCursor('work', `${long} ${i}`, cursor(turn));
      await nextTurn();
      sizes.push(existsSync(journalOf(dir)) ? statSync(journalOf(dir)).size : 0);
    }
    // Each turn adds ~2.5 KiB: the journal grows past 64 KiB once, then starts again.
    const compactedAt = sizes.findIndex((size) => size === 0);
    expect(compactedAt).toBeGreaterThan(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
    expect(sizes.at(-1)).toBeGreaterThan(0);
    expect(statSync(store.path).ino).not.toBe(snapshot);
    expect(onDisk(dir).cursors?.work?.[`${long} 9`]).toEqual(cursor(compactedAt + 1));
    expect(new ConfStateStore(dir, silentLogger).getCursor('work', `${long} 9`)).toEqual(
      cursor(50),
    );
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

  it('creates a missing state directory 0700 and the state file and journal 0600, under a umask of 022', async () => {
    const parent = path.join(newDir(), 'tidings');
    const dir = path.join(parent, 'state');
    const store = new ConfStateStore(dir, silentLogger);
    store.setCursor('work', 'INBOX', { uidValidity: 1, highestUid: 3 });
    store.flush();
    expect(modeOf(parent)).toBe(0o700);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(store.path)).toBe(0o600);
    store.setCursor('work', 'INBOX', { uidValidity: 1, highestUid: 4 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(modeOf(path.join(dir, 'state.journal'))).toBe(0o600);
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
