/**
 * `account:autoconfigure` in main, registered on the mocked electron module's ipcMain with an
 * injected resolver: the address is validated before the resolver sees it, one lookup runs at
 * a time (a newer one aborts the one before), and what the resolver found is passed through.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AutoconfigView } from '../../app/common/ipc-contract.js';
import type { IpcHandlers } from '../../app/main/electron/ipc-handlers.js';
import { resolvedAnswers } from '../support/resolved-accounts.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { ipcMain } = await import('electron');
const { fake } = await import('../support/electron-fake.js');
const { registerIpcHandlers } = await import('../../app/main/electron/ipc-handlers.js');
const { resolveAccount } = await import('../../app/main/engine/setup/autoconfig.js');
const { createAutoconfigHandlers, replacedMessage } =
  await import('../../app/main/electron/autoconfig-handlers.js');

const gmail: AutoconfigView = resolvedAnswers['gmail.com'];

type Resolve = (email: string, signal: AbortSignal) => Promise<AutoconfigView | null>;

const trusted = { sender: 'our window' } as unknown as IpcMainInvokeEvent;

function setup(resolve: Resolve) {
  const spy = vi.fn(resolve);
  const handlers = createAutoconfigHandlers({ resolve: spy });
  // The other channels are not under test here.
  registerIpcHandlers(ipcMain, handlers as unknown as IpcHandlers, (event) => event === trusted);
  const registered = new Map(
    fake.ipcMain.handle.mock.calls.map(([channel, handler]) => [channel, handler]),
  );
  const handler = registered.get('account:autoconfigure') as (
    event: IpcMainInvokeEvent,
    payload: unknown,
  ) => Promise<unknown>;
  const call = (payload: unknown, event = trusted) => handler(event, payload);
  return { call, resolve: spy, cancel: handlers.cancel };
}

beforeEach(() => fake.ipcMain.handle.mockClear());

describe('account:autoconfigure', () => {
  it('passes what the resolver found through, for the trimmed address', async () => {
    const { call, resolve } = setup(async () => gmail);
    expect(await call({ email: '  ann@gmail.com ' })).toEqual({ ok: true, value: gmail });
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(resolve.mock.calls[0]?.[0]).toBe('ann@gmail.com');
  });

  it('answers null when nothing was found', async () => {
    const { call } = setup(async () => null);
    expect(await call({ email: 'dan@unknown.example.test' })).toEqual({ ok: true, value: null });
  });

  it('refuses what is not an address, an overlong one, extra keys and other senders', async () => {
    const { call, resolve } = setup(async () => gmail);
    for (const email of ['ann', 'ann@', '@gmail.com', 'ann@gmail', 'a n@gmail.com', 'a@b@c.de']) {
      const answer = (await call({ email })) as { ok: false; error: { fields: object } };
      expect(answer.ok, email).toBe(false);
      expect(answer.error.fields).toEqual({ email: expect.stringMatching(/email address/) });
    }
    const long = `${'a'.repeat(320)}@example.com`;
    expect(await call({ email: long })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await call({ email: 'ann@gmail.com', password: 'x' })).toMatchObject({ ok: false });
    expect(await call(undefined)).toMatchObject({ ok: false });
    expect(
      await call({ email: 'ann@gmail.com' }, { sender: 'another page' } as never),
    ).toMatchObject({ ok: false, error: { message: expect.stringMatching(/unknown sender/) } });
    expect(resolve).not.toHaveBeenCalled();
  });

  it('runs one lookup at a time: a newer request aborts the earlier, whose caller is told', async () => {
    const signals: AbortSignal[] = [];
    // The first lookup never ends by itself (a slow autoconfig server); the second answers.
    const { call } = setup((email, signal) => {
      signals.push(signal);
      return email.startsWith('slow') ? new Promise(() => {}) : Promise.resolve(gmail);
    });
    const first = call({ email: 'slow@example.test' });
    const second = call({ email: 'ann@gmail.com' });
    expect(await first).toEqual({
      ok: false,
      error: { code: 'failed', message: replacedMessage, fields: {} },
    });
    expect(await second).toEqual({ ok: true, value: gmail });
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
  });

  it('cancel aborts the lookup in flight (the window closed)', async () => {
    let seen: AbortSignal | undefined;
    const { call, cancel } = setup((_email, signal) => {
      seen = signal;
      return new Promise(() => {});
    });
    const pending = call({ email: 'slow@example.test' });
    await vi.waitFor(() => expect(seen).toBeDefined());
    cancel();
    expect(await pending).toMatchObject({ ok: false, error: { message: replacedMessage } });
    expect(seen?.aborted).toBe(true);
  });

  it('names a resolver failure instead of throwing across IPC', async () => {
    const { call } = setup(async () => {
      throw new Error('DNS lookup timed out');
    });
    expect(await call({ email: 'ann@example.test' })).toEqual({
      ok: false,
      error: { code: 'failed', message: 'DNS lookup timed out', fields: {} },
    });
  });

  it("passes the engine's own answers through: presets, a domain's autoconfig, an SRV record elsewhere", async () => {
    // What the settings window's renderer tests fake (test/renderer/email-first.test.ts), from
    // the real resolver with its network injected: nothing leaves this machine.
    const xml = `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x">
      <domain>autoconfig.example.test</domain><incomingServer type="imap">
      <hostname>mail.autoconfig.example.test</hostname><port>143</port>
      <socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication></incomingServer>
      </emailProvider></clientConfig>`;
    const fetched: string[] = [];
    const fakeFetch = (async (url: string | URL) => {
      fetched.push(String(url));
      return String(url).startsWith('https://autoconfig.autoconfig.example.test/')
        ? new Response(xml, { headers: { 'content-type': 'text/xml' } })
        : new Response('not found', { status: 404 });
    }) as typeof fetch;
    const { call } = setup((email, signal) =>
      resolveAccount(email, {
        signal,
        fetch: fakeFetch,
        resolveSrv: async (name) =>
          name === '_imaps._tcp.dns.example.test'
            ? [{ name: 'imap.elsewhere.test', port: 993, priority: 0, weight: 0 }]
            : [],
        resolveMx: async () => [],
        probe: async () => false,
      }),
    );
    for (const [domain, answer] of Object.entries(resolvedAnswers)) {
      expect(await call({ email: `carol@${domain}` })).toEqual({ ok: true, value: answer });
    }
    // Presets need no network; only the two domains outside them were fetched.
    expect(fetched.every((url) => /autoconfig\.example\.test|dns\.example\.test/.test(url))).toBe(
      true,
    );
    expect(await call({ email: 'dan@unknown.example.test' })).toEqual({ ok: true, value: null });
  });
});
