/**
 * A fake of the preload's `window.tidings` for renderer tests, injected before the page's own
 * script. It keeps accounts in memory like main would, records every call in
 * `window.__calls`, and lets the test push status events and choose "Test connection" results.
 */
import type {
  ConnectionTestResult,
  SettingsView,
  StatusView,
} from '../../app/common/ipc-contract.js';

/** What the fake starts with. */
export interface FakeBridgeSetup {
  settings: SettingsView;
  statuses: StatusView[];
  testResult: ConnectionTestResult;
  /** Field errors main answers to the next account save, if any. */
  saveErrors?: Record<string, string>;
  /** Field errors main answers to the next preferences save, if any (keyed as main does). */
  preferencesErrors?: Record<string, string>;
}

/** The init script, as a function Playwright serialises into the page. */
export function installFakeBridge(setup: FakeBridgeSetup): void {
  type Listener = (statuses: StatusView[]) => void;
  const state = structuredClone(setup);
  const listeners: Listener[] = [];
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
  w.tidings = {
    getSettings: () => (record('getSettings'), ok(state.settings)),
    getStatus: () => (record('getStatus'), ok(state.statuses)),
    testAccount: (input: unknown) => (record('testAccount', input), ok(state.testResult)),
    savePreferences: (input: {
      notifications: SettingsView['notifications'];
      startAtLogin: boolean;
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
    removeAccount: (id: string) => {
      record('removeAccount', id);
      state.settings.accounts = state.settings.accounts.filter((a) => a.id !== id);
      return ok(state.settings);
    },
    saveAccount: (input: {
      originalId?: string;
      account: Record<string, unknown> & { id: string };
    }) => {
      record('saveAccount', input);
      if (state.saveErrors) {
        const fields = state.saveErrors;
        state.saveErrors = undefined;
        return Promise.resolve({
          ok: false,
          error: { code: 'invalid-request', message: 'account:save: invalid request', fields },
        });
      }
      const { password: _password, ...account } = input.account;
      const view = { ...account, hasPassword: true } as unknown as SettingsView['accounts'][number];
      const others = state.settings.accounts.filter(
        (a) => a.id !== (input.originalId ?? account.id),
      );
      state.settings.accounts = [...others, view];
      return ok(state.settings);
    },
    onStatus: (listener: Listener) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
}
