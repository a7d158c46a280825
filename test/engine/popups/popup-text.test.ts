import { describe, expect, it } from 'vitest';
import type { NewMessage } from '../../../app/main/engine/base/announcement.js';
import type { Popup } from '../../../app/main/engine/popups/popup-policy.js';
import { clickUrl, describePopup } from '../../../app/main/engine/popups/popup-text.js';

const message: NewMessage = {
  account: 'work',
  mailbox: 'INBOX',
  uidValidity: 1,
  uid: 7,
  messageId: '<abc+1@mail.example>',
  from: 'Ann <ann@example.test>',
  subject: 'Lunch?',
};
const names = (id: string) => ({ work: 'Work', home: 'Home' })[id] ?? id;
const single: Popup = { kind: 'message', message };
const summary: Popup = {
  kind: 'summary',
  account: 'work',
  mailbox: 'INBOX',
  count: 14,
  senders: ['Ann', 'Bob', 'Carol', 'Dan'],
  messages: [],
};
const catchUp: Popup = {
  kind: 'catch-up',
  counts: [
    { account: 'work', count: 7 },
    { account: 'home', count: 2 },
  ],
};

describe('popup text', () => {
  it('names sender and subject, a storm by its count and first senders, a catch-up by account', () => {
    expect(describePopup(single, names, true)).toEqual({
      title: 'Ann <ann@example.test>',
      body: 'Lunch?',
    });
    expect(describePopup(summary, names, true)).toEqual({
      title: '14 new messages in Work',
      body: 'INBOX — from Ann, Bob, Carol, …',
    });
    expect(describePopup(catchUp, names, true)).toEqual({
      title: 'While you were away',
      body: '7 new in Work, 2 new in Home',
    });
  });

  it("puts a single message's preview under its subject, never in a summary", () => {
    const previewed: Popup = { kind: 'message', message: { ...message, preview: 'See you at 1' } };
    expect(describePopup(previewed, names, true, true).body).toBe('Lunch?\nSee you at 1');
    expect(describePopup(previewed, names, true, false).body).toBe('Lunch?');
    expect(describePopup(previewed, names, false, true).body).toBe('INBOX');
    expect(describePopup(single, names, true, true).body).toBe('Lunch?');
    expect(describePopup(summary, names, true, true).body).toBe('INBOX — from Ann, Bob, Carol, …');
  });

  it('keeps senders and subjects out of every popup when privacy is on', () => {
    expect(describePopup(single, names, false)).toEqual({
      title: 'New mail in Work',
      body: 'INBOX',
    });
    expect(describePopup(summary, names, false).body).toBe('INBOX');
  });

  it('opens the message itself where the address has a {messageId} placeholder', () => {
    const gmail = 'https://mail.google.com/mail/u/0/#search/rfc822msgid:{messageId}';
    expect(clickUrl(gmail, single)).toBe(
      'https://mail.google.com/mail/u/0/#search/rfc822msgid:%3Cabc%2B1%40mail.example%3E',
    );
    expect(clickUrl(gmail, summary)).toBe('https://mail.google.com/mail/u/0/');
    const inPath = 'https://app.fastmail.test/mail/search:msgid:{messageId}';
    expect(clickUrl(inPath, catchUp)).toBe('https://app.fastmail.test/mail/');
    const noId: Popup = { kind: 'message', message: { ...message, messageId: null } };
    expect(clickUrl(gmail, noId)).toBe('https://mail.google.com/mail/u/0/');
  });

  it('opens a plain address as it is, and nothing without one', () => {
    expect(clickUrl('https://mail.example.test/', single)).toBe('https://mail.example.test/');
    expect(clickUrl(undefined, single)).toBeUndefined();
  });
});
