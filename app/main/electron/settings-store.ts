/**
 * The desktop app's settings in electron-store (atomic writes through conf), validated with
 * zod on every read. Accounts are stored without passwords; each password is kept beside
 * its account as safeStorage ciphertext and never leaves the main process.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { app } from 'electron';
import ElectronStore from 'electron-store';
import { z } from 'zod';
import type {
  AccountInput,
  AccountView,
  PreferencesInput,
  RequestError,
  Result,
  SettingsView,
} from '../../common/ipc-contract.js';
import {
  accountSchema,
  defaultLivenessSettings,
  defaultNotificationSettings,
  formatIssues,
  livenessSettingsSchema,
  notificationSettingsSchema,
  type AccountSettings,
  type Settings,
} from '../../common/settings-schema.js';
import { openJsonStore } from '../engine/open-json-store.js';

const storedAccountSchema = accountSchema.safeExtend({ passwordCipher: z.string().optional() });
const storedSettingsSchema = z.object({
  accounts: z.array(storedAccountSchema).default([]),
  notifications: notificationSettingsSchema.default(defaultNotificationSettings),
  liveness: livenessSettingsSchema.default(defaultLivenessSettings),
  startAtLogin: z.boolean().default(false),
});
type StoredSettings = z.infer<typeof storedSettingsSchema>;
type StoredAccount = z.infer<typeof storedAccountSchema>;

/** Reads and writes the app's settings. */
export class SettingsStore {
  private readonly store: ElectronStore<StoredSettings>;
  private settings: StoredSettings;

  constructor(options: { cwd?: string; onInvalid?: (problems: string[]) => void } = {}) {
    const cwd = options.cwd ?? app.getPath('userData');
    this.store = openJsonStore(
      path.join(cwd, 'settings.json'),
      () =>
        new ElectronStore<StoredSettings>({
          name: 'settings',
          cwd,
          accessPropertiesByDotNotation: false,
        }),
      (backup) => options.onInvalid?.([`not valid JSON: kept as ${backup}`]),
    );
    const parsed = storedSettingsSchema.safeParse(this.store.store);
    if (parsed.success) {
      this.settings = parsed.data;
    } else {
      // Keep the unreadable file beside the fresh one rather than losing the accounts in it.
      const backup = `${this.store.path}.invalid-${Date.now()}`;
      copyFileSync(this.store.path, backup);
      options.onInvalid?.([`kept as ${backup}`, ...formatIssues(parsed.error.issues)]);
      this.store.clear();
      this.settings = storedSettingsSchema.parse({});
    }
  }

  /** The settings the engine runs with (no passwords: those come from `passwordCipher`). */
  engineSettings(): Settings {
    const { accounts, notifications, liveness } = this.settings;
    return { accounts: accounts.map(withoutCipher), notifications, liveness };
  }

  /** The stored ciphertext of an account's password. */
  passwordCipher(id: string): string | undefined {
    return this.settings.accounts.find((a) => a.id === id)?.passwordCipher;
  }

  /** Whether the app should start at login. */
  get startAtLogin(): boolean {
    return this.settings.startAtLogin;
  }

  /** What the settings window sees. */
  view(secretStorageWarning: string | null): SettingsView {
    const { accounts, notifications, liveness, startAtLogin } = this.settings;
    return {
      accounts: accounts.map(toView),
      notifications,
      liveness,
      startAtLogin,
      secretStorageWarning,
    };
  }

  /** Adds or replaces an account; `encrypt` turns a new password into ciphertext. */
  saveAccount(input: AccountInput, encrypt: (password: string) => string): Result<void> {
    const { originalId, account } = input;
    const { password, ...fields } = account;
    const others = this.settings.accounts.filter((a) => a.id !== (originalId ?? account.id));
    if (others.some((a) => a.id === account.id)) {
      return invalid({ id: `"${account.id}" is already the id of another account` });
    }
    const previous = this.settings.accounts.find((a) => a.id === (originalId ?? account.id));
    const passwordCipher = password ? encrypt(password) : previous?.passwordCipher;
    if (!passwordCipher) return invalid({ password: 'enter the password' });
    const stored: StoredAccount = { ...fields, passwordCipher };
    const index = previous ? this.settings.accounts.indexOf(previous) : -1;
    const accounts =
      index >= 0
        ? this.settings.accounts.map((a, i) => (i === index ? stored : a))
        : [...this.settings.accounts, stored];
    this.write({ ...this.settings, accounts });
    return { ok: true, value: undefined };
  }

  /** Removes an account. */
  removeAccount(id: string): Result<void> {
    if (!this.settings.accounts.some((a) => a.id === id)) {
      return { ok: false, error: { code: 'not-found', message: `no account "${id}"`, fields: {} } };
    }
    this.write({ ...this.settings, accounts: this.settings.accounts.filter((a) => a.id !== id) });
    return { ok: true, value: undefined };
  }

  /** Saves notification preferences and start at login. */
  savePreferences(input: PreferencesInput): void {
    this.write({
      ...this.settings,
      notifications: input.notifications,
      startAtLogin: input.startAtLogin,
    });
  }

  private write(next: StoredSettings): void {
    this.settings = storedSettingsSchema.parse(next);
    this.store.set(this.settings);
  }
}

function withoutCipher({ passwordCipher: _c, ...account }: StoredAccount): AccountSettings {
  return account;
}

function toView({ passwordCipher, ...account }: StoredAccount): AccountView {
  const { password: _p, passwordEnv: _e, passwordCommand: _c, ...rest } = account;
  return { ...rest, hasPassword: Boolean(passwordCipher) };
}

function invalid(fields: Record<string, string>): { ok: false; error: RequestError } {
  return {
    ok: false,
    error: { code: 'invalid-request', message: Object.values(fields).join('; '), fields },
  };
}
