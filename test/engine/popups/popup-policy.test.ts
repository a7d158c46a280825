import { describe, expect, it } from 'vitest';
import type { NewMessage } from '../../../app/main/engine/base/announcement.js';
import type { PopupDecision } from '../../../app/main/engine/popups/notification-rules.js';
import {
  HOLD_CHECK_MAX_MS,
  PopupPolicy,
  UPDATE_MS,
  type PopupEvent,
  type PopupHold,
} from '../../../app/main/engine/popups/popup-policy.js';
import { ManualClock } from '../../support/manual-clock.js';

let uid = 0;
const mail = (from: string, account = 'work', mailbox = 'INBOX'): NewMessage => ({
  account,
  mailbox,
  uidValidity: 1,
  uid: ++uid,
  messageId: `<m${uid}@test>`,
  from,
  subject: `message ${uid}`,
});

function setup(options: { threshold?: number; decide?: (m: NewMessage) => PopupDecision } = {}) {
  const clock = new ManualClock();
  const shown: PopupEvent[] = [];
  let hold: PopupHold | null = null;
  const policy = new PopupPolicy({
    clock,
    burstThreshold: () => options.threshold ?? 5,
    decide: options.decide ?? (() => 'popup'),
    hold: (now) => (hold && (!hold.until || now < hold.until) ? hold : null),
    show: (event) => shown.push(event),
  });
  return {
    clock,
    shown,
    policy,
    setHold: (next: PopupHold | null) => (hold = next),
    kinds: () => shown.map((e) => e.popup.kind),
  };
}

describe('popup policy', () => {
  it('shows a few messages one by one, each with its sound', () => {
    const { policy, shown } = setup();
    for (const from of ['Ann <ann@x.test>', 'Bob <bob@x.test>', 'Ann <ann@x.test>']) {
      policy.announce(mail(from));
    }
    expect(shown.map((e) => [e.popup.kind, e.replaces, e.sound])).toEqual([
      ['message', [], true],
      ['message', [], true],
      ['message', [], true],
    ]);
  });

  it('turns a storm into one summary the moment it crosses the threshold, then updates it in place', () => {
    const { policy, shown, clock } = setup();
    for (let i = 0; i < 12; i++) policy.announce(mail(`Sender ${i % 3} <s${i % 3}@x.test>`));
    // Five singles, then at the sixth the summary that takes their place, at once.
    expect(shown.map((e) => e.popup.kind)).toEqual([...Array(5).fill('message'), 'summary']);
    expect(shown[5]).toMatchObject({
      replaces: [1, 2, 3, 4, 5],
      sound: true,
      popup: { kind: 'summary', count: 6, senders: ['Sender 0', 'Sender 1', 'Sender 2'] },
    });
    // The other six arrive together: one silent update within UPDATE_MS replaces the summary.
    clock.advance(UPDATE_MS);
    expect(shown).toHaveLength(7);
    expect(shown[6]).toMatchObject({
      replaces: [6],
      sound: false,
      popup: { kind: 'summary', count: 12 },
    });
    expect(clock.pending).toEqual([]);
  });

  it('makes a handful of popups for a thousand-message burst', () => {
    const { policy, shown, clock } = setup();
    for (let i = 0; i < 1000; i++) policy.announce(mail('List <list@x.test>'));
    clock.advance(UPDATE_MS);
    expect(shown).toHaveLength(7);
    expect(shown.at(-1)?.popup).toMatchObject({ kind: 'summary', count: 1000, senders: ['List'] });
  });

  it('updates a slow storm no later than UPDATE_MS after each message, and starts afresh after a gap', () => {
    const { policy, shown, clock } = setup({ threshold: 2 });
    for (let i = 0; i < 10; i++) {
      policy.announce(mail('Ann <ann@x.test>'));
      clock.advance(200);
    }
    // 2 singles, the summary at the third, then one update per later message.
    expect(shown.map((e) => e.popup.kind)).toEqual([
      'message',
      'message',
      ...Array<string>(8).fill('summary'),
    ]);
    expect(shown.at(-1)?.popup).toMatchObject({ count: 10 });
    clock.advance(6_000);
    policy.announce(mail('Bob <bob@x.test>'));
    expect(shown.at(-1)).toMatchObject({ popup: { kind: 'message' }, replaces: [] });
  });

  it('keeps a storm going while its messages come less than the gap apart, however long it lasts', () => {
    const { policy, shown, clock } = setup({ threshold: 2 });
    // A message every 4 s for 20 s: each within STORM_GAP_MS (5 s) of the one before, so one
    // storm, though its first message is far older than the gap by the end.
    for (let i = 0; i < 6; i++) {
      policy.announce(mail('Ann <ann@x.test>'));
      clock.advance(4_000);
    }
    expect(shown.map((e) => e.popup.kind)).toEqual([
      'message',
      'message',
      'summary',
      'summary',
      'summary',
      'summary',
    ]);
    expect(shown.at(-1)?.popup).toMatchObject({ count: 6 });
  });

  it('keeps storms of different mailboxes apart', () => {
    const { policy, kinds } = setup({ threshold: 1 });
    policy.announce(mail('A <a@x.test>', 'work', 'INBOX'));
    policy.announce(mail('B <b@x.test>', 'work', 'Team'));
    policy.announce(mail('C <c@x.test>', 'home', 'INBOX'));
    expect(kinds()).toEqual(['message', 'message', 'message']);
  });

  it('holds popups in quiet hours and ends them with one catch-up naming the counts', () => {
    const { policy, shown, clock, setHold } = setup();
    setHold({ reason: 'quiet', until: new Date(clock.now() + 60_000) });
    for (let i = 0; i < 7; i++) policy.announce(mail('Ann <ann@x.test>', 'work'));
    for (let i = 0; i < 2; i++) policy.announce(mail('Mum <mum@x.test>', 'home'));
    expect(shown).toEqual([]);
    clock.advance(60_000);
    expect(shown).toEqual([
      {
        id: 1,
        replaces: [],
        sound: false,
        popup: {
          kind: 'catch-up',
          counts: [
            { account: 'work', count: 7 },
            { account: 'home', count: 2 },
          ],
        },
      },
    ]);
    // Nothing else is owed: the next message pops up as usual.
    policy.announce(mail('Ann <ann@x.test>'));
    expect(shown.map((e) => e.popup.kind)).toEqual(['catch-up', 'message']);
  });

  it('shows the catch-up before new mail when the hold ended while its timer slept', () => {
    const { policy, shown, clock, setHold } = setup();
    setHold({ reason: 'quiet', until: new Date(clock.now() + 8 * 3_600_000) });
    policy.announce(mail('Ann <ann@x.test>'));
    policy.announce(mail('Bob <bob@x.test>'));
    // The lid was closed all night: the wall clock says the quiet hours are over, but no
    // timer has fired (Node's timers stop while the machine sleeps).
    setHold(null);
    policy.announce(mail('Cat <cat@x.test>'));
    expect(shown.map((e) => e.popup.kind)).toEqual(['catch-up', 'message']);
    expect(shown[0]?.popup).toEqual({ kind: 'catch-up', counts: [{ account: 'work', count: 2 }] });
  });

  it('looks at the wall clock at least every minute while popups wait', () => {
    const { policy, clock, setHold } = setup();
    setHold({ reason: 'quiet', until: new Date(clock.now() + 8 * 3_600_000) });
    policy.announce(mail('Ann <ann@x.test>'));
    expect(clock.pending).toEqual([HOLD_CHECK_MAX_MS]);
    clock.advance(HOLD_CHECK_MAX_MS);
    expect(clock.pending).toEqual([HOLD_CHECK_MAX_MS]);
    policy.close();
  });

  it('lets a VIP through quiet hours but not through a manual pause', () => {
    const decide = (m: NewMessage): PopupDecision => (m.from.startsWith('Boss') ? 'vip' : 'popup');
    const { policy, shown, setHold } = setup({ decide });
    setHold({ reason: 'quiet', until: null });
    policy.announce(mail('Boss <boss@x.test>'));
    policy.announce(mail('Ann <ann@x.test>'));
    expect(shown.map((e) => e.popup.kind)).toEqual(['message']);
    setHold({ reason: 'pause', until: null });
    policy.announce(mail('Boss <boss@x.test>'));
    expect(shown).toHaveLength(1);
    // "Resume" in the tray: the catch-up counts what waited, the VIP who got through excluded.
    setHold(null);
    policy.recheck();
    expect(shown.at(-1)?.popup).toEqual({
      kind: 'catch-up',
      counts: [{ account: 'work', count: 2 }],
    });
  });

  it('never pops up, nor counts for a catch-up, what the rules only count', () => {
    const { policy, shown, setHold, clock } = setup({ decide: () => 'count-only' });
    policy.announce(mail('Ann <ann@x.test>'));
    setHold({ reason: 'pause', until: new Date(clock.now() + 1_000) });
    policy.announce(mail('Ann <ann@x.test>'));
    clock.advance(1_000);
    expect(shown).toEqual([]);
  });

  it('stops its timers on close', () => {
    const { policy, clock, setHold } = setup();
    for (let i = 0; i < 7; i++) policy.announce(mail('Ann <ann@x.test>'));
    setHold({ reason: 'quiet', until: new Date(clock.now() + 60_000) });
    policy.announce(mail('Ann <ann@x.test>', 'home'));
    expect(clock.pending.length).toBe(2);
    policy.close();
    expect(clock.pending).toEqual([]);
  });
});

describe('popups that follow the mailbox', () => {
  function withClose(threshold = 3) {
    const clock = new ManualClock();
    const shown: PopupEvent[] = [];
    const closed: number[] = [];
    const policy = new PopupPolicy({
      clock,
      burstThreshold: () => threshold,
      decide: () => 'popup',
      hold: () => null,
      show: (event) => shown.push(event),
      close: (id) => closed.push(id),
    });
    return { clock, shown, closed, policy };
  }

  it("withdraws a single message's popup once, and nothing for a message it never showed", () => {
    const { policy, shown, closed } = withClose();
    const first = mail('Ann <ann@x.test>');
    const second = mail('Bob <bob@x.test>');
    policy.announce(first);
    policy.announce(second);
    policy.withdraw(first);
    policy.withdraw(first);
    policy.withdraw({ ...second, uidValidity: 99 });
    policy.withdraw(mail('Cy <cy@x.test>'));
    expect(closed).toEqual([shown[0]?.id]);
    expect(shown).toHaveLength(2);
  });

  it('shows a summary again one less for each message withdrawn, and closes it at zero', () => {
    const { policy, shown, closed, clock } = withClose(2);
    const storm = ['Ann', 'Bob', 'Ann', 'Cy'].map((name) => mail(`${name} <x@x.test>`));
    for (const message of storm) policy.announce(message);
    clock.advance(UPDATE_MS);
    const summary = () => shown.filter((e) => e.popup.kind === 'summary').at(-1);
    expect(summary()?.popup).toMatchObject({ count: 4, senders: ['Ann', 'Bob', 'Cy'] });
    policy.withdraw(storm[3] as NewMessage);
    expect(summary()?.popup).toMatchObject({ count: 3, senders: ['Ann', 'Bob'] });
    expect(summary()?.sound).toBe(false);
    const before = summary()?.id;
    for (const message of storm.slice(0, 2)) policy.withdraw(message);
    expect(summary()?.popup).toMatchObject({ count: 1, senders: ['Ann'] });
    policy.withdraw(storm[2] as NewMessage);
    // Closed at zero, no "0 new messages" shown; each update took the place of the one before.
    expect(closed).toEqual([summary()?.id]);
    expect(shown.filter((e) => e.popup.kind === 'summary').map((e) => e.popup)).not.toContainEqual(
      expect.objectContaining({ count: 0 }),
    );
    expect(summary()?.replaces).toEqual([expect.any(Number)]);
    expect(before).not.toBe(summary()?.id);
  });
});
