/**
 * The desktop app's settings in electron-store (atomic writes through conf), validated with
 * zod on every read. Accounts are stored without passwords; each password, and each OAuth2
 * refresh token, is kept beside its account as safeStorage ciphertext and never leaves the
 * main process. A refresh token is kept with the token URL and client id it was issued to (as
 * the CLI's token file does) and handed out only for those.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { domainToASCII } from 'node:url';
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
  resolvePort,
  defaultTraySettings,
  traySettingsSchema,
  type AccountSettings,
  type TraySettings,
  type Settings,
} from '../../common/settings-schema.js';
import { normalizeFingerprint } from '../engine/imap/index.js';
import {
  ensurePrivateDirectory,
  openJsonStore,
  PRIVATE_FILE_MODE,
  restrictToOwner,
} from '../engine/node/index.js';

const tokenBindingSchema = z.strictObject({ tokenUrl: z.string(), clientId: z.string() });
/** What a refresh token was issued to: it is never sent to another token URL or client. */
export type TokenBinding = z.infer<typeof tokenBindingSchema>;
/** A stored refresh token: safeStorage ciphertext and what it is bound to. */
export interface StoredRefreshToken {
  cipher: string;
  binding: TokenBinding;
}

const storedAccountSchema = accountSchema.safeExtend({
  passwordCipher: z.string().optional(),
  refreshToken: z.strictObject({ cipher: z.string(), binding: tokenBindingSchema }).optional(),
});
const storedSettingsSchema = z.object({
  accounts: z.array(storedAccountSchema).default([]),
  notifications: notificationSettingsSchema.default(defaultNotificationSettings),
  liveness: livenessSettingsSchema.default(defaultLivenessSettings),
  startAtLogin: z.boolean().default(false),
  checkForUpdates: z.boolean().default(true),
  tray: traySettingsSchema.default(defaultTraySettings),
});
type StoredSettings = z.infer<typeof storedSettingsSchema>;
type StoredAccount = z.infer<typeof storedAccountSchema>;

/** Reads and writes the app's settings. */
export class SettingsStore {
  private readonly store: ElectronStore<StoredSettings>;
  private settings: StoredSettings;

  constructor(options: { cwd?: string; onInvalid?: (problems: string[]) => void } = {}) {
    const cwd = options.cwd ?? app.getPath('userData');
    const file = path.join(cwd, 'settings.json');
    // Account ids, hosts, users and password ciphertext: readable by the user alone.
    ensurePrivateDirectory(cwd);
    restrictToOwner(file);
    this.store = openJsonStore(
      file,
      () =>
        new ElectronStore<StoredSettings>({
          name: 'settings',
          cwd,
          accessPropertiesByDotNotation: false,
          configFileMode: PRIVATE_FILE_MODE,
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

  /** The stored refresh token of an OAuth2 account, if it was issued to `binding`. */
  refreshToken(id: string, binding: TokenBinding): string | undefined {
    const stored = this.settings.accounts.find((a) => a.id === id)?.refreshToken;
    return stored && sameBinding(stored.binding, binding) ? stored.cipher : undefined;
  }

  /** Stores a (new or rotated) refresh token for an existing account. */
  saveRefreshToken(id: string, token: StoredRefreshToken): Result<void> {
    if (!this.settings.accounts.some((a) => a.id === id)) return notFound(id);
    const accounts = this.settings.accounts.map((a) =>
      a.id === id ? { ...a, refreshToken: token } : a,
    );
    this.write({ ...this.settings, accounts });
    return { ok: true, value: undefined };
  }

  /** Whether the app should start at login. */
  get startAtLogin(): boolean {
    return this.settings.startAtLogin;
  }

  /** Whether the app checks for updates (where its build updates itself). */
  get checkForUpdates(): boolean {
    return this.settings.checkForUpdates;
  }

  /** What the tray icon shows: a count or a dot, of new or of unread mail. */
  get tray(): TraySettings {
    return this.settings.tray;
  }

  /** What the settings window sees. */
  view(secretStorageWarning: string | null, trayWarning: string | null = null): SettingsView {
    const { accounts, notifications, liveness, startAtLogin, checkForUpdates, tray } =
      this.settings;
    return {
      accounts: accounts.map(toView),
      notifications,
      liveness,
      startAtLogin,
      checkForUpdates,
      tray,
      secretStorageWarning,
      ...(trayWarning ? { trayWarning } : {}),
    };
  }

  /**
   * Adds or replaces an account; `encrypt` turns a new password into ciphertext. A stored
   * password is kept only while the account still points at the server, port, security and
   * user it was saved for: otherwise the form must ask for it again.
   */
  saveAccount(
    input: AccountInput,
    encrypt: (password: string) => string,
    refreshToken?: StoredRefreshToken,
  ): Result<void> {
    const { password, ...fields } = input.account;
    const { account } = input;
    const previous = this.previousAccount(input);
    if (!previous.ok) return previous;
    const others = this.settings.accounts.filter((a) => a !== previous.value);
    if (others.some((a) => a.id === account.id)) {
      return invalid({ id: `"${account.id}" is already the id of another account` });
    }
    let stored: StoredAccount;
    if (account.auth === 'oauth2') {
      const oauth2 = withKeptSecret(fields.oauth2, previous.value?.oauth2);
      const token = refreshToken ?? reusableRefreshToken(previous.value, { ...fields, oauth2 });
      if (!token)
        return invalid({ signIn: previous.value?.refreshToken ? signInAgain : signInFirst });
      stored = { ...fields, oauth2, refreshToken: token };
    } else {
      const passwordCipher = password ? encrypt(password) : this.reusablePasswordCipher(input);
      if (!passwordCipher) {
        return invalid({ password: previous.value ? passwordAgain : 'enter the password' });
      }
      stored = { ...fields, passwordCipher };
    }
    const accounts = previous.value
      ? this.settings.accounts.map((a) => (a === previous.value ? stored : a))
      : [...this.settings.accounts, stored];
    this.write({ ...this.settings, accounts });
    return { ok: true, value: undefined };
  }

  /**
   * The stored password cipher that `input` may use without sending a new password: only that
   * of the account being edited, and only if host, port, TLS mode and user are unchanged.
   */
  reusablePasswordCipher(input: AccountInput): string | undefined {
    const previous = this.previousAccount(input);
    if (!previous.ok || !previous.value) return undefined;
    return previous.value.auth !== 'oauth2' && sameCredentialTarget(previous.value, input.account)
      ? previous.value.passwordCipher
      : undefined;
  }

  /**
   * Whether "Test connection" may log in to `input`'s server with the stored sign-in: only
   * that of the account being edited, and only while server, security, user, provider and
   * client are unchanged (an access token goes nowhere else).
   */
  reusableSignIn(input: AccountInput): boolean {
    const previous = this.previousAccount(input);
    if (!previous.ok || previous.value?.auth !== 'oauth2') return false;
    const oauth2 = withKeptSecret(input.account.oauth2, previous.value.oauth2);
    return (
      sameCredentialTarget(previous.value, input.account) &&
      reusableRefreshToken(previous.value, { ...input.account, oauth2 }) !== undefined
    );
  }

  // The account an edit replaces: none for a new account; an edit of a vanished one is refused.
  private previousAccount(input: AccountInput): Result<StoredAccount | undefined> {
    if (input.originalId === undefined) return { ok: true, value: undefined };
    const previous = this.settings.accounts.find((a) => a.id === input.originalId);
    if (!previous) return notFound(input.originalId);
    return { ok: true, value: previous };
  }

  /** Removes an account. */
  removeAccount(id: string): Result<void> {
    if (!this.settings.accounts.some((a) => a.id === id)) return notFound(id);
    this.write({ ...this.settings, accounts: this.settings.accounts.filter((a) => a.id !== id) });
    return { ok: true, value: undefined };
  }

  /** Saves notification preferences, start at login, update checks and the tray's count. */
  savePreferences(input: PreferencesInput): void {
    this.write({
      ...this.settings,
      notifications: input.notifications,
      startAtLogin: input.startAtLogin,
      checkForUpdates: input.checkForUpdates,
      tray: input.tray,
    });
  }

  private write(next: StoredSettings): void {
    this.settings = storedSettingsSchema.parse(next);
    this.store.set(this.settings);
  }
}

function withoutCipher({
  passwordCipher: _c,
  refreshToken: _t,
  ...account
}: StoredAccount): AccountSettings {
  return account;
}

function toView({ passwordCipher, refreshToken, ...account }: StoredAccount): AccountView {
  const {
    password: _p,
    passwordEnv: _e,
    passwordCommand: _c,
    refreshTokenEnv: _re,
    refreshTokenCommand: _rc,
    accessTokenCommand: _ac,
    oauth2,
    ...rest
  } = account;
  const view: AccountView = { ...rest, hasPassword: Boolean(passwordCipher) };
  if (oauth2) {
    const { clientSecret, ...shown } = oauth2;
    view.oauth2 = { provider: shown.provider, clientId: shown.clientId };
    view.hasClientSecret = Boolean(clientSecret);
    view.signedIn = Boolean(refreshToken);
  }
  return view;
}

/** Why an OAuth2 account cannot be saved yet. */
export const signInFirst = 'sign in first: the account has no sign-in yet';
/** Why a stored sign-in was not kept: it was for another user, provider or client. */
export const signInAgain =
  'the server, user, provider or client changed: sign in again so the sign-in belongs to them';

// A refresh token stays with an edited account while it still signs in as the same user, at
// the same server (host, port, security, CA, pin), through the same provider and client; the
// token URL and client it is bound to are checked again whenever it is used.
function reusableRefreshToken(
  previous: StoredAccount | undefined,
  next: CredentialTarget & Pick<AccountSettings, 'oauth2'>,
): StoredRefreshToken | undefined {
  if (!previous?.refreshToken || previous.auth !== 'oauth2') return undefined;
  const a = previous.oauth2;
  const b = next.oauth2;
  // Bound to the server as a stored password is: an access token made from it is sent to
  // the server (XOAUTH2, in clear text when `tls` is none), never anywhere else.
  const same =
    sameCredentialTarget(previous, next) &&
    a?.provider === b?.provider &&
    a?.clientId === b?.clientId &&
    a?.tokenUrl === b?.tokenUrl;
  return same ? previous.refreshToken : undefined;
}

// The window never sees a client secret: an edit that sends none keeps the stored one while
// the client id is unchanged.
function withKeptSecret(
  next: AccountSettings['oauth2'],
  previous: AccountSettings['oauth2'],
): AccountSettings['oauth2'] {
  if (!next || next.clientSecret || !previous?.clientSecret) return next;
  return next.clientId !== undefined && next.clientId === previous.clientId
    ? { ...next, clientSecret: previous.clientSecret }
    : next;
}

function sameBinding(a: TokenBinding, b: TokenBinding): boolean {
  return a.tokenUrl === b.tokenUrl && a.clientId === b.clientId;
}

/** Why a stored password was not reused: the account now points somewhere else. */
export const passwordAgain =
  'the server, port, security, certificate or user changed: enter the password again to send it there';

// Where a password goes, and whom it trusts on the way: a stored one is never sent anywhere
// else. A pin or a CA file decides which certificate is accepted for the host, so changing
// either is as good as changing the host.
type CredentialTarget = Pick<
  AccountSettings,
  'host' | 'port' | 'tls' | 'user' | 'caFile' | 'certificateFingerprint'
>;

function sameCredentialTarget(a: CredentialTarget, b: CredentialTarget): boolean {
  const pin = (t: CredentialTarget) =>
    t.certificateFingerprint ? normalizeFingerprint(t.certificateFingerprint) : undefined;
  return (
    canonicalHost(a.host) === canonicalHost(b.host) &&
    resolvePort(a) === resolvePort(b) &&
    a.tls === b.tls &&
    a.user === b.user &&
    (a.caFile ?? '') === (b.caFile ?? '') &&
    pin(a) === pin(b)
  );
}

// The host as DNS will see it: IDNA's ASCII form ("imap.bücher.de" and its punycode are one
// host; so are U+212A KELVIN SIGN and "k"), lower case, without a trailing dot.
function canonicalHost(host: string): string {
  const ascii = domainToASCII(host.toLowerCase()) || host.toLowerCase();
  return ascii.replace(/\.$/, '');
}

function notFound(id: string): { ok: false; error: RequestError } {
  return { ok: false, error: { code: 'not-found', message: `no account "${id}"`, fields: {} } };
}

function invalid(fields: Record<string, string>): { ok: false; error: RequestError } {
  return {
    ok: false,
    error: { code: 'invalid-request', message: Object.values(fields).join('; '), fields },
  };
}
