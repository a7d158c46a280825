/**
 * A fake of the preload's `window.tidings` for renderer tests, injected before the page's own
 * script. It keeps accounts in memory like main would, records every call in
 * `window.__calls`, and lets the test push status events and choose "Test connection" results.
 * A sign-in waits, as main does for the browser, until the test calls `window.__finishSignIn`
 * (with a failure, or nothing for success) or the page cancels it. "Email address" lookups
 * are answered from a table by the address's domain (none: nothing found), after a delay.
 * A test answers by the fingerprint the account pins, if the table has it; with `holdTests`
 * it waits for `window.__finishTest()`, while `window.__pushTestProgress(message)` says what
 * it waits for, as main does while the account's connections are all in use. The About
 * section reads `about`; "Check for updates" says `checking` and then answers `checkResult`
 * (as main does, in an event and in the answer); `window.__pushUpdate(status)` sends an
 * update event as main's updater does.
 */
import type {
  AboutView,
  AutoconfigView,
  ConnectionTestResult,
  SettingsView,
  SignInOutcome,
  StatusView,
  UpdateStatus,
} from '../../app/common/ipc-contract.js';
import type { TidingsApi } from '../../app/preload/index.js';

/** What the fake starts with. */
export interface FakeBridgeSetup {
  settings: SettingsView;
  statuses: StatusView[];
  testResult: ConnectionTestResult;
  /** Field errors main answers to the next account save, if any. */
  saveErrors?: Record<string, string>;
  /** Field errors main answers to the next preferences save, if any (keyed as main does). */
  preferencesErrors?: Record<string, string>;
  /** What main's resolver finds for each domain; a domain not listed finds nothing. */
  autoconfig?: Record<string, AutoconfigView>;
  /** How long a lookup takes, in ms (0 by default). */
  autoconfigDelayMs?: number;
  /** What a test answers when the account pins this fingerprint (else `testResult`). */
  testResultsByPin?: Record<string, ConnectionTestResult>;
  /** Tests wait for `window.__finishTest()` instead of answering at once. */
  holdTests?: boolean;
  /** What the About section shows. */
  about: AboutView;
  /** What "Check for updates" ends with (after `checking`), in ms after it starts. */
  checkResult?: UpdateStatus;
  checkDelayMs?: number;
}

/** The init script, as a function Playwright serialises into the page. */
export function installFakeBridge(setup: FakeBridgeSetup): void {
  type Listener = (statuses: StatusView[]) => void;
  const state = structuredClone(setup);
  const listeners: Listener[] = [];
  const progressListeners: Array<(progress: { message: string }) => void> = [];
  const updateListeners: Array<(status: UpdateStatus) => void> = [];
  const heldTests: Array<() => void> = [];
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const record = (method: string, ...args: unknown[]) =>
    calls.push({ method, args: structuredClone(args) });
  const ok = <T>(value: T) => Promise.resolve({ ok: true as const, value: structuredClone(value) });
  const w = window as unknown as Record<string, unknown>;
  w.__calls = calls;
  w.__pushStatus = (statuses: StatusView[]) => {
    state.statuses = statuses;
    listeners.forEach((listener) => listener(structuredClone(statuses)));
  };
  w.__setTestResult = (result: ConnectionTestResult) => (state.testResult = result);
  w.__pushTestProgress = (message: string) =>
    progressListeners.forEach((listener) => listener({ message }));
  w.__finishTest = () => heldTests.shift()?.();
  const setUpdate = (status: UpdateStatus) => {
    state.about.update = status;
    updateListeners.forEach((listener) => listener(structuredClone(status)));
  };
  w.__pushUpdate = setUpdate;
  type AccountRequest = { originalId?: string; account: Record<string, unknown> & { id: string } };
  const store = (input: AccountRequest, extra: Record<string, unknown>) => {
    const { password: _password, oauth2, ...account } = input.account;
    const { clientSecret: _secret, ...shownClient } = (oauth2 ?? {}) as Record<string, unknown>;
    const view = {
      ...account,
      ...(oauth2 ? { oauth2: shownClient } : {}),
      hasPassword: !oauth2,
      ...extra,
    } as unknown as SettingsView['accounts'][number];
    const others = state.settings.accounts.filter((a) => a.id !== (input.originalId ?? account.id));
    state.settings.accounts = [...others, view];
  };
  let finishSignIn: ((outcome?: Exclude<SignInOutcome, { ok: true }>) => void) | undefined;
  w.__finishSignIn = (outcome?: Exclude<SignInOutcome, { ok: true }>) => finishSignIn?.(outcome);
  w.tidings = {
    getSettings: () => (record('getSettings'), ok(state.settings)),
    getStatus: () => (record('getStatus'), ok(state.statuses)),
    testAccount: (input: { account: { certificateFingerprint?: string } }) => {
      record('testAccount', input);
      const pin = input.account.certificateFingerprint;
      const answer = () => ok((pin && state.testResultsByPin?.[pin]) || state.testResult);
      if (!state.holdTests) return answer();
      return new Promise((resolve) => heldTests.push(() => resolve(answer())));
    },
    savePreferences: (input: {
      notifications: SettingsView['notifications'];
      startAtLogin: boolean;
      checkForUpdates: boolean;
      tray: SettingsView['tray'];
    }) => {
      record('savePreferences', input);
      if (state.preferencesErrors) {
        const fields = state.preferencesErrors;
        state.preferencesErrors = undefined;
        return Promise.resolve({
          ok: false,
          error: { code: 'invalid-request', message: 'preferences:save: invalid request', fields },
        });
      }
      state.settings = { ...state.settings, ...input };
      return ok(state.settings);
    },
    getAbout: () => (record('getAbout'), ok(state.about)),
    checkForUpdates: () => {
      record('checkForUpdates');
      setUpdate({ state: 'checking' });
      const outcome = state.checkResult ?? { state: 'idle', checkedAt: new Date().toISOString() };
      return new Promise((resolve) =>
        setTimeout(() => {
          setUpdate(outcome);
          resolve(ok(outcome));
        }, state.checkDelayMs ?? 0),
      );
    },
    restartToUpdate: () => {
      record('restartToUpdate');
      return ok({ restarting: state.about.update.state === 'ready' });
    },
    removeAccount: (id: string) => {
      record('removeAccount', id);
      state.settings.accounts = state.settings.accounts.filter((a) => a.id !== id);
      return ok(state.settings);
    },
    saveAccount: (input: AccountRequest) => {
      record('saveAccount', input);
      if (state.saveErrors) {
        const fields = state.saveErrors;
        state.saveErrors = undefined;
        return Promise.resolve({
          ok: false,
          error: { code: 'invalid-request', message: 'account:save: invalid request', fields },
        });
      }
      const previous = state.settings.accounts.find(
        (a) => a.id === (input.originalId ?? input.account.id),
      );
      store(input, input.account.oauth2 ? { signedIn: previous?.signedIn ?? false } : {});
      return ok(state.settings);
    },
    signIn: (input: AccountRequest) => {
      record('signIn', input);
      if (finishSignIn) {
        return ok({ ok: false, code: 'busy', message: 'a sign-in is already waiting' });
      }
      return new Promise((resolve) => {
        finishSignIn = (outcome) => {
          finishSignIn = undefined;
          if (outcome) return resolve({ ok: true, value: outcome });
          store(input, { signedIn: true });
          const address = String(input.account.user);
          resolve({
            ok: true,
            value: { ok: true, address, settings: structuredClone(state.settings) },
          });
        };
      });
    },
    autoconfigure: (email: string) => {
      record('autoconfigure', email);
      const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
      const found = state.autoconfig?.[domain] ?? null;
      return new Promise((resolve) =>
        setTimeout(() => resolve(ok(found)), state.autoconfigDelayMs ?? 0),
      );
    },
    cancelSignIn: () => {
      record('cancelSignIn');
      const waiting = finishSignIn !== undefined;
      finishSignIn?.({ ok: false, code: 'cancelled', message: 'the sign-in was cancelled' });
      return ok({ cancelled: waiting });
    },
    onStatus: (listener: Listener) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    onTestProgress: (listener: (progress: { message: string }) => void) => {
      progressListeners.push(listener);
      return () => progressListeners.splice(progressListeners.indexOf(listener), 1);
    },
    onUpdate: (listener: (status: UpdateStatus) => void) => {
      updateListeners.push(listener);
      return () => updateListeners.splice(updateListeners.indexOf(listener), 1);
    },
  } satisfies TidingsApi;
}
