import { describe, expect, it } from 'vitest';
import {
  applyMessageIds,
  applyTurn,
  diffMessageIds,
  encodeHeader,
  encodeTurn,
  readJournal,
  type StateShape,
} from '../../../app/main/engine/node/state-journal.js';

const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `<${from + i}@x>`);

describe('the Message-ID change in the journal', () => {
  it("is the announcer's change as a count and the added ids, and applies back to the same list", () => {
    // At the cap: the two oldest forgotten as two new ones come.
    const before = ids(0, 5000);
    const after = [...ids(2, 5000), '<new1@x>', '<new2@x>'];
    const change = diffMessageIds(before, after);
    expect(change).toEqual({ drop: 2, add: ['<new1@x>', '<new2@x>'] });
    expect(applyMessageIds(before, change)).toEqual(after);
  });

  it('is the added ids alone below the cap, and nothing for an unchanged list', () => {
    expect(diffMessageIds(ids(0, 3), ids(0, 4))).toEqual({ drop: 0, add: ['<3@x>'] });
    expect(diffMessageIds(ids(0, 3), ids(0, 3))).toEqual({ drop: 0, add: [] });
    expect(diffMessageIds(ids(0, 3), [])).toEqual({ drop: 3, add: [] });
  });

  it('is the whole new list when it is not the old one less a prefix plus a suffix', () => {
    const cases: [string[], string[]][] = [
      [ids(0, 5), ids(10, 12)], // unrelated
      [ids(0, 5), ['<1@x>', '<3@x>']], // a gap in the middle
      [ids(0, 5), [...ids(2, 4), '<new@x>']], // the newest dropped
      [[], ids(0, 2)], // none before
    ];
    for (const [before, after] of cases) {
      const change = diffMessageIds(before, after);
      expect(change).toEqual({ all: after });
      expect(applyMessageIds(before, change)).toEqual(after);
    }
  });
});

describe('readJournal', () => {
  const header = encodeHeader('abc');
  const turn = (n: number) =>
    encodeTurn({ cursors: { a: { INBOX: { uidValidity: 1, highestUid: n } } } });

  it('reads the header and every turn of a whole journal', () => {
    const read = readJournal(header + turn(1) + turn(2));
    expect(read.header).toEqual({ journal: 1, snapshot: 'abc' });
    expect(read.turns).toHaveLength(2);
    expect(read).toMatchObject({ tornLastLine: false, garbledLine: undefined });
  });

  it('leaves out a last line cut short, or garbled, and reads the turns before it', () => {
    const cut = turn(3).slice(0, 20);
    expect(readJournal(header + turn(1) + turn(2) + cut)).toMatchObject({
      turns: [{}, {}],
      tornLastLine: true,
      garbledLine: undefined,
    });
    expect(readJournal(header + turn(1) + '\0\0\0\0\n')).toMatchObject({
      turns: [{}],
      tornLastLine: true,
      garbledLine: undefined,
    });
    expect(readJournal(header.slice(0, 5))).toMatchObject({ header: undefined, turns: [] });
  });

  it('stops at a garbled line with lines after it, and says which', () => {
    const read = readJournal(header + turn(1) + '{"cursors":7}\n' + turn(3));
    expect(read.turns).toHaveLength(1);
    expect(read.garbledLine).toBe(3);
  });
});

describe('applyTurn', () => {
  it('applies cursors and Message-IDs of a turn together', () => {
    const state: StateShape = { cursors: {}, announcedMessageIds: { a: ids(0, 3) } };
    const fits = applyTurn(state, {
      cursors: { a: { 'Lists.team': { uidValidity: 1, highestUid: 9 } } },
      ids: { a: { drop: 1, add: ['<9@x>'] } },
    });
    expect(fits).toBe(true);
    expect(state).toEqual({
      cursors: { a: { 'Lists.team': { uidValidity: 1, highestUid: 9 } } },
      announcedMessageIds: { a: ['<1@x>', '<2@x>', '<9@x>'] },
    });
  });

  it('refuses a turn that drops more ids than the list holds, and changes nothing of it', () => {
    const state: StateShape = { cursors: {}, announcedMessageIds: { a: ids(0, 1) } };
    const fits = applyTurn(state, {
      cursors: { a: { INBOX: { uidValidity: 1, highestUid: 9 } } },
      ids: { a: { drop: 2, add: [] } },
    });
    expect(fits).toBe(false);
    expect(state).toEqual({ cursors: {}, announcedMessageIds: { a: ['<0@x>'] } });
  });
});
