/**
 * What each settings-window request does in main, given the store and the engine. Payloads
 * arrive already validated (ipc-handlers.ts); here the rules about secrets hold: a stored
 * password is only ever sent to the server, port, TLS mode and user it was saved for, and
 * "Test connection" runs one at a time, refusing (not queueing) a second.
 *
 * A test (and the mailbox list it brings) is one more connection of the account, so it takes
 * a slot of the account's connection budget from the engine first: while the watchers hold
 * them all it tells the window so, gives up after `budgetWaitMs`, and gives the slot back
 * however the test ends. A test refused for its certificate reads that certificate (in the
 * same slot) so the window can offer to pin it.
 */
import type {
  AccountInput,
  CertificateView,
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
  /**
   * The engine's `Supervisor.borrowConnection`: one slot of the saved account's budget
   * (at once for an account not watched); rejects when `signal` aborts.
   */
  borrowConnection(accountId: string, signal: AbortSignal): Promise<() => void>;
  /** How many connections the saved account may hold at once, and why ("Gmail's limit"). */
  connectionLimit(accountId: string): { limit: number; source: string };
  /** Tells the window what the running test waits for. */
  progress(message: string): void;
  /** The certificate a refused TLS handshake met, read without trusting it (null: none). */
  inspectCertificate(account: AccountInput['account']): Promise<CertificateView | null>;
  /** How long a test waits for a free connection before giving up (30 s by default). */
  budgetWaitMs?: number;
  setStartAtLogin(enabled: boolean): void;
  encrypt(password: string): string;
  decrypt(cipher: string): string;
  secretStorageWarning(): string | null;
  /** What the window says when the desktop shows no tray icons (none: there is a tray). */
  trayWarning?(): string | null;
}

/** How long a test waits for a free connection of the account's budget by default. */
export const DEFAULT_BUDGET_WAIT_MS = 30_000;

/** Said to the window while a test waits for a slot of the account's budget. */
export function waitingMessage(limit: { limit: number; source: string }): string {
  // The watcher's own words (watcher-base.ts), so the window and the status list agree.
  return `waiting for a free connection: this account may use ${limit.limit} at once (${limit.source})`;
}

/** The channels' handlers, and `cancelTest` for when the window closes. */
export type SettingsHandlers = Omit<
  IpcHandlers,
  | 'account:sign-in'
  | 'account:sign-in-cancel'
  | 'account:autoconfigure'
  | 'about:get'
  | 'update:check'
  | 'update:restart'
> & {
  /** Stops a test still waiting for a free connection (the window that asked is gone). */
  cancelTest(): void;
};

/** The handler of every invoke channel but sign-in's, autoconfigure's and About's (their own files). */
export function createSettingsHandlers(deps: SettingsHandlerDeps): SettingsHandlers {
  const { store } = deps;
  const waitMs = deps.budgetWaitMs ?? DEFAULT_BUDGET_WAIT_MS;
  // One test at a time, and none queued behind it: a page cannot line up a scan of ports
  // or a burst of logins, each waiting with a password in hand.
  let testRunning = false;
  // Owned here: the running test's wait for a budget slot, aborted when the window closes.
  let waiting: AbortController | undefined;
  const runTest = async (
    accountId: string,
    account: AccountInput['account'],
    test: () => Promise<ConnectionTestResult>,
  ): Promise<Result<ConnectionTestResult>> => {
    if (testRunning) {
      const message = 'a connection test is already running: wait for it to finish';
      return { ok: false, error: { code: 'failed', message, fields: {} } };
    }
    testRunning = true;
    try {
      const slot = await borrow(accountId);
      if (!slot.ok) return { ok: true, value: slot.result };
      try {
        const result = await test();
        if (result.ok || result.code !== 'tls' || account.tls === 'none') {
          return { ok: true, value: result };
        }
        // Still within the slot: reading the certificate is one more connection.
        const certificate = await deps.inspectCertificate(account).catch(() => null);
        return { ok: true, value: certificate ? { ...result, certificate } : result };
      } finally {
        slot.release();
      }
    } finally {
      testRunning = false;
    }
  };
  const borrow = async (
    accountId: string,
  ): Promise<{ ok: true; release: () => void } | { ok: false; result: ConnectionTestResult }> => {
    const controller = new AbortController();
    waiting = controller;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, waitMs);
    let granted = false;
    const borrowed = deps.borrowConnection(accountId, controller.signal).then((release) => {
      granted = true;
      return release;
    });
    // A free slot is granted within the same turn; past it, the test waits behind the
    // watchers, and the window says so instead of "Testing…" with no end.
    const announce = setImmediate(() => {
      if (!granted && !controller.signal.aborted) {
        deps.progress(`${capitalize(waitingMessage(deps.connectionLimit(accountId)))}…`);
      }
    });
    try {
      return { ok: true, release: await borrowed };
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      const limit = waitingMessage(deps.connectionLimit(accountId));
      const result: ConnectionTestResult = timedOut
        ? {
            ok: false,
            code: 'busy',
            message: `${limit}; none came free in ${waitMs / 1000} s, so the test gave up`,
          }
        : { ok: false, code: 'cancelled', message: 'the settings window closed' };
      return { ok: false, result };
    } finally {
      clearTimeout(timer);
      clearImmediate(announce);
      if (waiting === controller) waiting = undefined;
    }
  };
  const view = (): Result<SettingsView> => ({
    ok: true,
    value: store.view(deps.secretStorageWarning(), deps.trayWarning?.() ?? null),
  });
  const applied = async (): Promise<Result<SettingsView>> => {
    await deps.apply(store.engineSettings());
    return view();
  };
  return {
    cancelTest: () => waiting?.abort(),
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
        return runTest(id, input.account, () =>
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
      // The saved account's budget (its watchers run under the id it was saved with); a new
      // account has no watchers, and its id no budget.
      const budgetId = input.originalId ?? input.account.id;
      return runTest(budgetId, input.account, () => deps.testConnection(input.account, password));
    },
    'preferences:save': async (input) => {
      if (input.startAtLogin !== store.startAtLogin) deps.setStartAtLogin(input.startAtLogin);
      store.savePreferences(input);
      return applied();
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
