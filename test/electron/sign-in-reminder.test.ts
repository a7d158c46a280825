import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WatcherStatus } from '../../app/common/account-status.js';
import { FakeNotification } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { createSignInReminder } = await import('../../app/main/electron/sign-in-reminder.js');

const status = (account: string, mailbox: string, state: WatcherStatus['state']) =>
  ({ account, mailbox, state, detail: '', unread: null, at: new Date() }) as WatcherStatus;

beforeEach(() => {
  FakeNotification.made.length = 0;
});

describe('the sign-in reminder', () => {
  it('says once per OAuth2 account that it needs a new sign-in, and opens Settings on click', () => {
    const openSettings = vi.fn();
    const remind = createSignInReminder({
      oauth2AccountName: (id) => (id === 'gmail' ? 'Gmail' : undefined),
      openSettings,
    });
    remind(status('gmail', 'INBOX', 'auth-failed'));
    remind(status('gmail', 'Lists', 'auth-failed'));
    remind(status('work', 'INBOX', 'auth-failed'));
    expect(FakeNotification.made.map((n) => n.options.title)).toEqual(['Sign in to Gmail again']);
    FakeNotification.made[0]?.emit('click');
    expect(openSettings).toHaveBeenCalledOnce();
    // Working again, then refused again: a new reminder.
    remind(status('gmail', 'INBOX', 'idle'));
    remind(status('gmail', 'INBOX', 'auth-failed'));
    expect(FakeNotification.made).toHaveLength(2);
  });
});
