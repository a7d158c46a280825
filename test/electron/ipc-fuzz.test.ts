/**
 * Issue 22: whatever the settings window sends on any channel, main answers with a `Result`:
 * a payload the channel's schema takes reaches the handler; any other is refused as
 * `invalid-request` with each problem under the field it is about, in one printable line, never
 * a rejection, a stack trace or a password, and nothing reaches Object.prototype. Payloads are
 * random values of every kind structured cloning carries and valid requests with one thing
 * broken, cloned as Electron's IPC clones them. Then the real settings handlers and store take
 * sequences of valid requests: never a `failed` answer, never a password in clear.
 * `npm run fuzz` runs thousands (TIDINGS_FUZZ_SEEDS); test/support/fuzz.ts says how to replay.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  accountInputSchema,
  autoconfigureInputSchema,
  invokeChannels,
  invokeSchemas,
  preferencesInputSchema,
  type InvokeChannel,
} from '../../app/common/ipc-contract.js';
import {
  notificationSettingsSchema,
  oauth2SettingsSchema,
  quietPeriodSchema,
  traySettingsSchema,
} from '../../app/common/settings-schema.js';
import type { IpcHandlers } from '../../app/main/electron/ipc-handlers.js';
import {
  expectNoPollution,
  fuzzParameters,
  fuzzRuns,
  fuzzTimeout,
  UNPRINTABLE,
} from '../support/fuzz.js';
import {
  mutations,
  prototypeKeys,
  type DocumentShape,
  type JsonPath,
} from '../support/json-mutations.js';
import {
  accountIdInput,
  accountInput,
  autoconfigureInput,
  preferencesInput,
  secret,
  secretsIn,
  signInInput,
} from '../support/settings-arbitraries.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { ipcMain } = await import('electron');
const { fake } = await import('../support/electron-fake.js');
const { registerIpcHandlers } = await import('../../app/main/electron/ipc-handlers.js');
const { SettingsStore } = await import('../../app/main/electron/settings-store.js');
const { createSettingsHandlers } = await import('../../app/main/electron/settings-handlers.js');

const RUNS = fuzzRuns(300);

const trusted = { sender: 'our window' } as unknown as IpcMainInvokeEvent;
const foreign = { sender: 'another page' } as unknown as IpcMainInvokeEvent;

type Call = (
  channel: InvokeChannel,
  payload: unknown,
  event?: IpcMainInvokeEvent,
) => Promise<unknown>;

/** Registers `handlers` on the fake ipcMain; calls go through structured cloning, as in Electron. */
function register(handlers: IpcHandlers): Call {
  fake.ipcMain.handle.mockClear();
  registerIpcHandlers(ipcMain, handlers, (event) => event === trusted);
  type Handler = (event: IpcMainInvokeEvent, payload: unknown) => Promise<unknown>;
  const registered = new Map(
    fake.ipcMain.handle.mock.calls.map(([channel, handler]) => [channel, handler as Handler]),
  );
  return async (channel, payload, event = trusted) => {
    const handler = registered.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return structuredClone(await handler(event, structuredClone(payload)));
  };
}

/** Handlers that answer with their channel's name and count their calls. */
function stubHandlers() {
  const calls: unknown[] = [];
  const handlers = Object.fromEntries(
    invokeChannels.map((channel) => [
      channel,
      (request: unknown) => {
        calls.push(request);
        return { ok: true, value: channel };
      },
    ]),
  ) as unknown as IpcHandlers;
  return { handlers, calls };
}

/** A valid request for each channel. */
const validRequests: Record<InvokeChannel, fc.Arbitrary<unknown>> = {
  'settings:get': fc.constant(undefined),
  'status:get': fc.constant(undefined),
  'account:save': accountInput,
  'account:remove': accountIdInput,
  'account:test': accountInput,
  'preferences:save': preferencesInput,
  'account:sign-in': signInInput,
  'account:sign-in-cancel': fc.constant(undefined),
  'account:autoconfigure': autoconfigureInput,
  'about:get': fc.constant(undefined),
  'update:check': fc.constant(undefined),
  'update:restart': fc.constant(undefined),
};

const knownKeys = new Set(
  [
    accountInputSchema,
    accountInputSchema.shape.account,
    oauth2SettingsSchema,
    preferencesInputSchema,
    notificationSettingsSchema,
    quietPeriodSchema,
    traySettingsSchema,
    autoconfigureInputSchema,
  ].flatMap((schema) => Object.keys(schema.shape)),
);

/** What each channel's request must have. */
function ipcShape(channel: InvokeChannel): DocumentShape {
  return {
    knownKeys,
    // The headless config's commands and hooks: never from the window.
    suspectKeys: ['passwordCommand', 'passwordEnv', 'refreshTokenCommand', 'onNewMail', 'hooks'],
    target: 'ipc',
    required(at, object) {
      // Each channel's top-level keys are required, but the id an edit had before.
      if (at.length === 0) {
        return Object.keys(object)
          .filter((key) => key !== 'originalId')
          .map((key) => [key]);
      }
      if (at.length === 1 && at[0] === 'account') {
        return [
          ['id'],
          ['host'],
          ['user'],
          ...(channel === 'account:sign-in' ? [['auth']] : []),
          ...(object.auth === 'oauth2' ? [['oauth2']] : []),
        ];
      }
      if (at.at(-1) === 'oauth2') {
        const custom = object.provider === 'custom';
        return [['provider'], ...(custom ? [['authorizationUrl'], ['tokenUrl'], ['scope']] : [])];
      }
      if (at[1] === 'quietHours' && at.length === 3) return [['days'], ['from'], ['to']];
      return [];
    },
  };
}

/** The longest message for a field: a long value is cut, never echoed whole. */
const MAX_MESSAGE = 1000;

interface Refusal {
  ok: false;
  error: { code: string; message: string; fields: Record<string, string> };
}

/** The field a problem at `at` is shown under: the form's own names, without "account". */
function fieldOf(at: JsonPath): string {
  return at.filter((part) => part !== 'account').join('.') || '(request)';
}

/** Expects a refusal of `channel`'s request, each message one printable line, no secret. */
function expectRefused(answer: unknown, channel: InvokeChannel, secrets: readonly string[]) {
  expect(answer).toMatchObject({
    ok: false,
    error: { code: 'invalid-request', message: `${channel}: invalid request` },
  });
  const { fields } = (answer as Refusal).error;
  expect(Object.keys(fields).length).toBeGreaterThan(0);
  for (const [field, message] of Object.entries(fields)) {
    expect(typeof message).toBe('string');
    expect(message, field).not.toBe('');
    expect(message, `${field}: a raw control character`).not.toMatch(UNPRINTABLE);
    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE);
    for (const secret of secrets) expect(message).not.toContain(secret);
  }
  return fields;
}

// Everything structured cloning carries (no functions or symbols): Maps, Sets, Dates, typed
// arrays, BigInts, sparse arrays, null prototypes, and keys that fool JavaScript code.
const anyValue = fc.anything({
  key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...knownKeys, ...prototypeKeys)),
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});
const channel = fc.constantFrom(...invokeChannels);

describe('IPC payloads, fuzzed', () => {
  it(
    `accepts ${RUNS} valid requests on every channel`,
    { timeout: fuzzTimeout(RUNS, 20) },
    async () => {
      const { handlers, calls } = stubHandlers();
      const call = register(handlers);
      await fc.assert(
        fc.asyncProperty(
          channel.chain((c) => validRequests[c].map((request) => ({ c, request }))),
          async ({ c, request }) => {
            calls.length = 0;
            expect(await call(c, request)).toEqual({ ok: true, value: c });
            expect(calls).toEqual([invokeSchemas[c].parse(request)]);
          },
        ),
        fuzzParameters(RUNS),
      );
    },
  );

  it(
    `answers ${RUNS} random payloads on every channel with a Result, never a rejection`,
    { timeout: fuzzTimeout(RUNS, 20) },
    async () => {
      const { handlers, calls } = stubHandlers();
      const call = register(handlers);
      await fc.assert(
        fc.asyncProperty(channel, anyValue, async (c, payload) => {
          calls.length = 0;
          const answer = await call(c, payload);
          if (invokeSchemas[c].safeParse(structuredClone(payload)).success) {
            expect(answer).toEqual({ ok: true, value: c });
            expect(calls).toHaveLength(1);
          } else {
            expectRefused(answer, c, []);
            expect(calls).toEqual([]);
          }
          // From any other sender, refused before the schema is asked.
          expect(await call(c, payload, foreign)).toMatchObject({ ok: false });
          expect(calls.length).toBeLessThanOrEqual(1);
          expectNoPollution();
        }),
        fuzzParameters(RUNS),
      );
    },
  );

  it(
    `refuses ${RUNS} requests one change away from valid, naming the field changed`,
    { timeout: fuzzTimeout(RUNS, 20) },
    async () => {
      const { handlers, calls } = stubHandlers();
      const call = register(handlers);
      const withPayload = invokeChannels.filter(
        (c) => !invokeSchemas[c].safeParse(undefined).success,
      );
      const nearValid = fc
        .constantFrom(...withPayload)
        .chain((c) =>
          validRequests[c].chain((request) =>
            mutations(request, ipcShape(c)).map((mutated) => ({ c, request, mutated })),
          ),
        );
      await fc.assert(
        fc.asyncProperty(nearValid, async ({ c, request, mutated }) => {
          calls.length = 0;
          const answer = await call(c, mutated.document);
          if ((answer as { ok: boolean }).ok) {
            expect(
              mutated.mustRefuse,
              `${mutated.kind} at ${fieldOf(mutated.path)} was accepted`,
            ).toBe(false);
            expect(calls).toHaveLength(1);
            return;
          }
          const fields = expectRefused(answer, c, secretsIn(request));
          expect(calls).toEqual([]);
          if (!mutated.mustRefuse) return;
          if (mutated.key !== undefined) {
            // A key the channel does not take is named as a field of its own.
            expect(Object.keys(fields)).toContain(fieldOf([...mutated.path, mutated.key]));
          } else if (fieldOf(mutated.path) !== '(request)') {
            const wanted = fieldOf(mutated.path);
            const named = Object.keys(fields).filter(
              (f) => f === wanted || f.startsWith(`${wanted}.`),
            );
            expect(
              named,
              `${mutated.kind}: ${wanted} not named in ${Object.keys(fields).join(', ')}`,
            ).not.toEqual([]);
          }
          expectNoPollution();
        }),
        fuzzParameters(RUNS),
      );
    },
  );
});

describe('the settings handlers and store, fuzzed with valid requests', () => {
  const STORE_RUNS = fuzzRuns(200, 0.5);
  // A few ids, so that edits and removals meet the accounts saved before them; most saves are
  // of new accounts, most with a new password.
  const id = fc.constantFrom('work', 'home', 'lists');
  const pooled = fc
    .record({
      input: accountInput,
      accountId: id,
      originalId: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 3 },
        { arbitrary: id, weight: 1 },
      ),
      password: fc.option(secret, { nil: undefined, freq: 4 }),
    })
    .map(({ input, accountId, originalId, password }) => {
      const account: Record<string, unknown> = { ...input.account, id: accountId };
      if (account.auth !== 'oauth2' && password !== undefined) account.password = password;
      return { ...(originalId !== undefined ? { originalId } : {}), account };
    });
  const request = fc.oneof(
    pooled.map((payload) => ['account:save', payload] as const),
    pooled.map((payload) => ['account:test', payload] as const),
    // What account:sign-in does once the browser is done: the account saved with its token.
    pooled.map((payload) => ['signed-in', payload] as const),
    id.map((accountId) => ['account:remove', { id: accountId }] as const),
    preferencesInput.map((payload) => ['preferences:save', payload] as const),
    fc.constant(['settings:get', undefined] as const),
  );
  const parent = mkdtempSync(path.join(tmpdir(), 'tidings-ipc-fuzz-'));
  // Reversible and not the plain text, as safeStorage's ciphertext is.
  const encrypt = (text: string) => `enc:${Buffer.from(text).toString('base64')}`;

  it(
    `answer ${STORE_RUNS} sequences of valid requests without a failure, a password in clear, or a file they cannot read back`,
    { timeout: fuzzTimeout(STORE_RUNS, 100) },
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 8 }), async (requests) => {
          const cwd = mkdtempSync(path.join(parent, 'store-'));
          const store = new SettingsStore({ cwd });
          const settingsHandlers = createSettingsHandlers({
            store,
            apply: async () => {},
            statuses: () => [],
            testConnection: async () => ({ ok: true, mailboxes: ['INBOX'] }),
            signedInCredentials: async () => ({ kind: 'oauth2', accessToken: 'at' }),
            borrowConnection: async () => () => {},
            connectionLimit: () => ({ limit: 1, source: 'maxConnections' }),
            progress: () => {},
            inspectCertificate: async () => null,
            setStartAtLogin: () => {},
            encrypt,
            decrypt: (cipher) => Buffer.from(cipher.slice(4), 'base64').toString(),
            secretStorageWarning: () => null,
          });
          const call = register({ ...stubHandlers().handlers, ...settingsHandlers });
          const secrets = secretsIn(requests);
          const signIn = (payload: unknown) => {
            const input = accountInputSchema.parse(payload);
            const { oauth2 } = input.account;
            if (oauth2 === undefined) return { ok: true };
            const token = {
              tokenUrl: oauth2.tokenUrl ?? 'builtin',
              clientId: oauth2.clientId ?? '',
            };
            return store.saveAccount(input, encrypt, { cipher: encrypt('rt'), binding: token });
          };
          for (const [channel, payload] of requests) {
            const answer = (
              channel === 'signed-in' ? signIn(payload) : await call(channel, payload)
            ) as { ok: boolean } | Refusal;
            if (!answer.ok) {
              const { error } = answer as Refusal;
              expect(['invalid-request', 'not-found'], `${channel}: ${error.message}`).toContain(
                error.code,
              );
              if (error.code === 'invalid-request') {
                expect(Object.keys(error.fields).length).toBeGreaterThan(0);
              }
            }
            const shown = JSON.stringify(answer);
            for (const secret of secrets) expect(shown).not.toContain(secret);
          }
          const file = path.join(cwd, 'settings.json');
          const onDisk = existsSync(file) ? readFileSync(file, 'utf8') : '';
          // Passwords only: a desktop OAuth2 client's secret is not secret (see
          // docs/gmail-and-microsoft-365.md), and the window never sees it.
          for (const password of secretsIn(requests, ['password'])) {
            expect(onDisk).not.toContain(password);
          }
          // What was written reads back as it was: nothing set aside as invalid.
          const problems: string[] = [];
          const reread = new SettingsStore({ cwd, onInvalid: (p) => problems.push(...p) });
          expect(problems).toEqual([]);
          expect(reread.view(null)).toEqual(store.view(null));
          expectNoPollution();
        }),
        fuzzParameters(STORE_RUNS),
      );
    },
  );
});
