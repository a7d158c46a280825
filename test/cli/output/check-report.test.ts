/** The table and JSON shapes of `tidings check`, and the list of `tidings mailboxes`. */
import { describe, expect, it } from 'vitest';
import type { CheckStep } from '../../../app/main/engine/check/account-check.js';
import { checkDocument, formatCheckTable } from '../../../app/main/cli/output/check-report.js';
import {
  describeMailboxes,
  formatMailboxes,
} from '../../../app/main/cli/commands/mailboxes-command.js';

const certificate = {
  fingerprint256: 'AB:CD',
  subject: 'CN=imap.example.com',
  issuer: 'CN=Example CA',
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2027-01-01T00:00:00.000Z',
  protocol: 'TLSv1.3',
  trusted: false,
  trustedBy: 'authorities' as const,
  problem: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
};

const passing: CheckStep[] = [
  { step: 'dns', status: 'ok', detail: 'imap.example.com → 192.0.2.1' },
  { step: 'mailbox', mailbox: 'INBOX', status: 'ok', detail: 'exists (EXAMINE: 3 messages)' },
];
const failing: CheckStep[] = [
  {
    step: 'tls',
    status: 'failed',
    reason: 'tls-error',
    detail: 'tls-error: self-signed',
    certificate,
  },
  { step: 'login', status: 'skipped', detail: 'tls failed' },
];

describe('the check table', () => {
  it('aligns the columns, names the account on every row, and puts the certificate under its row', () => {
    const table = formatCheckTable([
      { id: 'home', steps: passing },
      { id: 'work-account', steps: failing },
    ]);
    const indent = ' '.repeat('work-account  mailbox INBOX  skipped  '.length);
    expect(table.split('\n')).toEqual([
      'ACCOUNT       STEP           RESULT   DETAIL',
      'home          dns            ok       imap.example.com → 192.0.2.1',
      'home          mailbox INBOX  ok       exists (EXAMINE: 3 messages)',
      'work-account  tls            FAILED   tls-error: self-signed',
      `${indent}SHA-256 AB:CD`,
      `${indent}subject CN=imap.example.com; issuer CN=Example CA`,
      `${indent}valid 2026-01-01T00:00:00.000Z to 2027-01-01T00:00:00.000Z`,
      `${indent}if this is your server's certificate, pin it: "certificateFingerprint": "AB:CD"`,
      'work-account  login          skipped  tls failed',
      '',
      'FAILED: work-account at tls (1 of 2 accounts passed).',
      '',
    ]);
  });

  it('offers no pin for a certificate that failed its pin', () => {
    const pinned = { ...certificate, trustedBy: 'pinned' as const };
    const table = formatCheckTable([
      { id: 'a', steps: [{ step: 'tls', status: 'failed', detail: 'x', certificate: pinned }] },
    ]);
    expect(table).not.toContain('pin it');
  });

  it('says all passed when nothing failed, skipped steps included', () => {
    const table = formatCheckTable([{ id: 'home', steps: passing }]);
    expect(table.trimEnd().split('\n').at(-1)).toBe('All checks passed (1 account).');
  });
});

describe('the check JSON document', () => {
  it('names each account’s first failed step, mailboxes by name', () => {
    const missing: CheckStep = {
      step: 'mailbox',
      mailbox: 'Lists/Team',
      status: 'failed',
      detail: 'mailbox not found',
    };
    expect(
      checkDocument([
        { id: 'home', steps: passing },
        { id: 'work', steps: [...passing, missing] },
      ]),
    ).toEqual({
      ok: false,
      accounts: [
        { id: 'home', ok: true, steps: passing },
        { id: 'work', ok: false, failedStep: 'mailbox Lists/Team', steps: [...passing, missing] },
      ],
    });
  });
});

describe('the mailbox list', () => {
  it('shows a hostile mailbox name without its escape sequences and controls', () => {
    const hostile = 'Evil\u001b]0;pwned\u0007\u001b[2J\nName\u202e';
    const text = formatMailboxes(describeMailboxes('work', [hostile], ['INBOX']));
    expect(text.split('\n')[0]).toBe('  Evil Name');
  });

  it('puts INBOX first, matches INBOX in any case and every other name exactly', () => {
    const document = describeMailboxes('work', ['Work', 'INBOX', 'Archive'], ['inbox', 'work']);
    expect(document).toEqual({
      account: 'work',
      mailboxes: [
        { path: 'INBOX', watched: true },
        { path: 'Archive', watched: false },
        { path: 'Work', watched: false },
      ],
      missing: ['work'],
    });
    expect(formatMailboxes(document)).toBe(
      '* INBOX\n  Archive\n  Work\n! work (watched, but not on the server)\n\n(3 mailboxes of work; * watched)\n',
    );
  });
});
