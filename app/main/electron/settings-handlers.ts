/**
 * What each settings-window request does in main, given the store and the engine. Payloads
 * arrive already validated (ipc-handlers.ts); here the rules about secrets hold: a stored
 * password is only ever sent to the server, port, TLS mode and user it was saved for, and
 * "Test connection" runs one at a time, refusing (not queueing) a second.
 */
import type {
  AccountInput,
  ConnectionTestResult,
  Result,
  SettingsView,
  StatusView,
} from '../../common/ipc-contract.js';
import type { Settings } from '../../common/settings-schema.js';
import type { Credentials } from '../engine/index.js';
import type { IpcHandlers } from './ipc-handlers.js';
import { passwordAgain, type SettingsStore } from './settings-store.js';

/** What the handlers need from the app. */
export interface SettingsHandlerDeps {
  store: SettingsStore;
  /** Runs the engine with the new settings, and updates the tray. */
  apply(settings: Settings): Promise<void>;
  statuses(): StatusView[];
  /** Tests an account with a password or an access token (one test at a time: the caller holds a gate). */
  testConnection(
    account: AccountInput['account'],
    credentials: string | Credentials,
  ): Promise<ConnectionTestResult>;
  /** A saved OAuth2 account's access token, from its stored sign-in. */
  signedInCredentials(accountId: string): Promise<Credentials>;
  setStartAtLogin(enabled: boolean): void;
  encrypt(password: string): string;
  decrypt(cipher: string): string;
  secretStorageWarning(): string | null;
}

/** The handler of every invoke channel but sign-in's and autoconfigure's (their own files). */
export function createSettingsHandlers(
  deps: SettingsHandlerDeps,
): Omit<IpcHandlers, 'account:sign-in' | 'account:sign-in-cancel' | 'account:autoconfigure'> {
  const { store } = deps;
  // One test at a time, and none queued behind it: a page cannot line up a scan of ports
  // or a burst of logins, each waiting with a password in hand.
  let testRunning = false;
  const runTest = async (
    test: () => Promise<ConnectionTestResult>,
  ): Promise<Result<ConnectionTestResult>> => {
    if (testRunning) {
      const message = 'a connection test is already running: wait for it to finish';
      return { ok: false, error: { code: 'failed', message, fields: {} } };
    }
    testRunning = true;
    try {
      return { ok: true, value: await test() };
    } finally {
      testRunning = false;
    }
  };
  const view = (): Result<SettingsView> => ({
    ok: true,
    value: store.view(deps.secretStorageWarning()),
  });
  const applied = async (): Promise<Result<SettingsView>> => {
    await deps.apply(store.engineSettings());
    return view();
  };
  return {
    'settings:get': view,
    'status:get': () => ({ ok: true, value: deps.statuses() }),
    'account:save': async (input) => {
      const saved = store.saveAccount(input, deps.encrypt);
      return saved.ok ? applied() : saved;
    },
    'account:remove': async ({ id }) => {
      const removed = store.removeAccount(id);
      return removed.ok ? applied() : removed;
    },
    'account:test': async (input): Promise<Result<ConnectionTestResult>> => {
      if (input.account.auth === 'oauth2') {
        if (input.originalId === undefined || !store.reusableSignIn(input)) {
          const message = 'sign in first: the test logs in with the stored sign-in';
          return {
            ok: false,
            error: { code: 'invalid-request', message, fields: { signIn: message } },
          };
        }
        const id = input.originalId;
        return runTest(() =>
          deps.signedInCredentials(id).then((c) => deps.testConnection(input.account, c)),
        );
      }
      const cipher = input.account.password ? undefined : store.reusablePasswordCipher(input);
      const password = input.account.password ?? (cipher && deps.decrypt(cipher));
      if (!password) {
        const message =
          input.originalId === undefined || !store.passwordCipher(input.originalId)
            ? 'enter the password'
            : passwordAgain;
        return {
          ok: false,
          error: { code: 'invalid-request', message, fields: { password: message } },
        };
      }
      return runTest(() => deps.testConnection(input.account, password));
    },
    'preferences:save': async (input) => {
      if (input.startAtLogin !== store.startAtLogin) deps.setStartAtLogin(input.startAtLogin);
      store.savePreferences(input);
      return applied();
    },
  };
}
