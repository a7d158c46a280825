/**
 * Which buttons a popup offers (a pure function of the popup and its account's settings),
 * and what a click does: through `act`, each message done withdrawn, each refusal shown and
 * logged — shared by every notifier (Electron's and the freedesktop D-Bus popups).
 */
import { describe, expect, it, vi } from 'vitest';
import {
  buttonsOf,
  clickAction,
  popupAccount,
  runButton,
  type MessageKey,
  type Popup,
  type PopupAct,
} from '../../../app/main/engine/popups/index.js';
import { settingsSchema, type AccountSettings } from '../../../app/common/settings-schema.js';
import { silentLogger } from '../../../app/main/engine/base/ports.js';
import { wantedActions } from '../../../app/main/engine/act/index.js';

const key = (uid: number): MessageKey => ({
  account: 'work',
  mailbox: 'INBOX',
  uidValidity: 9,
  uid,
});
const single: Popup = {
  kind: 'message',
  message: { ...key(4), messageId: '<m@x>', from: 'Ann <a@x.test>', subject: 'Hi' },
};
const summary = (uids: number[]): Popup => ({
  kind: 'summary',
  account: 'work',
  mailbox: 'INBOX',
  count: uids.length,
  senders: [],
  messages: uids.map(key),
});

function account(popupActions?: AccountSettings['popupActions']): AccountSettings {
  const settings = settingsSchema.parse({
    accounts: [{ id: 'work', host: 'h', user: 'u', password: 'p', popupActions }],
  });
  return settings.accounts[0] as AccountSettings;
}

describe('buttonsOf', () => {
  it("offers Mark as read and Delete on a single message by default, else the account's list", () => {
    const labels = (a: AccountSettings | undefined) =>
      buttonsOf(single, a, wantedActions).map((b) => [b.key, b.text, b.action, b.messages]);
    expect(labels(account())).toEqual([
      ['read', 'Mark as read', 'read', [single.kind === 'message' && single.message]],
      ['delete', 'Delete', 'delete', [single.kind === 'message' && single.message]],
    ]);
    // An account no longer configured: nothing known of where its mail could move.
    expect(labels(undefined)).toEqual([]);
    expect(labels(account(['archive', 'read'])).map(([k]) => k)).toEqual(['archive', 'read']);
    expect(labels(account([]))).toEqual([]);
  });

  it('leaves out what the engine cannot offer the account (no Delete without a Trash)', () => {
    const offered = (a: AccountSettings) => (a.popupActions ?? ['read', 'delete']).slice(0, 1);
    expect(buttonsOf(single, account(['delete', 'read']), offered).map((b) => b.key)).toEqual([
      'delete',
    ]);
    expect(buttonsOf(single, account(), () => []).map((b) => b.key)).toEqual([]);
    // A summary's "Mark all as read" always can.
    expect(buttonsOf(summary([1]), account(), () => []).map((b) => b.key)).toEqual(['read-all']);
  });

  it("clicks as the account's popupClick says for a single message; a summary always opens", () => {
    expect(clickAction(single, undefined)).toBe('open');
    expect(clickAction(single, { popupClick: 'read' })).toBe('read');
    expect(clickAction(single, { popupClick: 'none' })).toBe('none');
    expect(clickAction(summary([1, 2]), { popupClick: 'none' })).toBe('open');
  });

  it('offers a summary "Mark all as read" for exactly the messages it counts, none at zero', () => {
    expect(buttonsOf(summary([1, 3, 4]), account([]), wantedActions)).toEqual([
      {
        key: 'read-all',
        text: 'Mark all as read',
        action: 'read',
        messages: [key(1), key(3), key(4)],
      },
    ]);
    expect(buttonsOf(summary([]), account(), wantedActions)).toEqual([]);
    const catchUp: Popup = { kind: 'catch-up', counts: [{ account: 'work', count: 2 }] };
    expect(buttonsOf(catchUp, account(), wantedActions)).toEqual([]);
    expect([popupAccount(single), popupAccount(summary([1])), popupAccount(catchUp)]).toEqual([
      'work',
      'work',
      undefined,
    ]);
  });
});

describe('runButton', () => {
  it('withdraws each message done, and shows and logs each refusal, in one act call', async () => {
    const act = vi.fn<PopupAct>(async (messages) =>
      messages.map((m) =>
        m.uid === 3 ? { done: false, reason: 'UID 3 is gone' } : { done: true, text: 'ok' },
      ),
    );
    const withdrawn: number[] = [];
    const shown: string[] = [];
    const warn = vi.fn();
    const [button] = buttonsOf(summary([1, 3, 4]), account(), wantedActions);
    if (!button) throw new Error('no button');
    await runButton(button, {
      act,
      withdraw: (m) => withdrawn.push(m.uid),
      showFailure: (title, body) => shown.push(`${title}: ${body}`),
      logger: { ...silentLogger, warn },
    });
    expect(act).toHaveBeenCalledTimes(1);
    expect(withdrawn).toEqual([1, 4]);
    expect(shown).toEqual(["Couldn't mark as read: UID 3 is gone"]);
    expect(warn).toHaveBeenCalledWith("couldn't mark as read INBOX UID 3: UID 3 is gone");
  });

  it('turns a thrown act into a refusal of every message, never a rejection', async () => {
    const shown: string[] = [];
    const [, del] = buttonsOf(single, account(), wantedActions);
    if (!del) throw new Error('no Delete button');
    await expect(
      runButton(del, {
        act: () => Promise.reject(new Error('socket closed')),
        withdraw: () => expect.unreachable(),
        showFailure: (title, body) => shown.push(`${title}: ${body}`),
        logger: silentLogger,
      }),
    ).resolves.toBeUndefined();
    expect(shown).toEqual(["Couldn't delete: Error: socket closed"]);
  });
});
