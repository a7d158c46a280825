/**
 * The one IPC contract between the settings window and the main process: channel names
 * (`domain:verb`), what each invoke carries and returns, the events main pushes, and the zod
 * schemas main validates every payload with. The preload's API and main's handlers both
 * derive their types from here; nothing is written twice.
 */
import { z } from 'zod';
import type { WatcherState, WatchVia } from './account-status.js';
import type { livenessSettingsSchema } from './settings-schema.js';
import {
  accountFieldsSchema,
  checkAccount,
  limits,
  notificationSettingsSchema,
  traySettingsSchema,
} from './settings-schema.js';

/**
 * An account as the settings form sends it: a new password, or none to keep the stored one.
 * The window has no say in how a password is found: `passwordEnv` and `passwordCommand` (which
 * would run a command in main) belong to the headless config file only, and are refused here;
 * so do the new-mail hooks.
 */
export const accountInputSchema = z.strictObject({
  /** The id the account had before this edit; absent for a new account. */
  originalId: z.string().max(64).optional(),
  account: accountFieldsSchema
    .omit({
      passwordEnv: true,
      passwordCommand: true,
      refreshTokenEnv: true,
      refreshTokenCommand: true,
      accessTokenCommand: true,
      onNewMail: true,
      onNewMailPost: true,
    })
    .extend({ password: z.string().max(limits.secret).optional() })
    .superRefine(checkAccount),
});
export type AccountInput = z.infer<typeof accountInputSchema>;

/**
 * "Sign in with Google / Microsoft": the account being added or edited (auth "oauth2"); main
 * opens the browser, waits for the redirect, stores the refresh token encrypted beside the
 * account (saving it), and answers with the address only.
 */
export const signInInputSchema = accountInputSchema.refine(
  (input) => input.account.auth === 'oauth2' && input.account.oauth2 !== undefined,
  { path: ['account', 'auth'], message: 'sign-in is for OAuth2 accounts' },
);

/** How a sign-in ended; `code` names the failure for the window's words. */
export type SignInOutcome =
  | { ok: true; address: string; settings: SettingsView }
  | {
      ok: false;
      code: 'no-client' | 'denied' | 'timeout' | 'cancelled' | 'refused-url' | 'busy' | 'failed';
      message: string;
    };

/** Preferences from the settings window. */
export const preferencesInputSchema = z.strictObject({
  notifications: notificationSettingsSchema,
  startAtLogin: z.boolean(),
  /** Check for updates at start and every 6 hours (installed builds that update themselves). */
  checkForUpdates: z.boolean(),
  /** What the tray icon counts, and whether it draws the number. */
  tray: traySettingsSchema,
});
export type PreferencesInput = z.infer<typeof preferencesInputSchema>;

/**
 * "Email address" first: the address whose server settings main looks up. Shaped like an
 * address (one "@", a dotted domain, no spaces), and bounded like a user name.
 */
export const autoconfigureInputSchema = z.strictObject({
  email: z
    .string()
    .trim()
    .max(limits.user)
    .regex(/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/, 'expected an email address, such as ann@example.com'),
});

/**
 * Server settings found for an address, as the engine's resolver answers (autoconfig.ts's
 * `ResolvedAccount`, written again here because app/common imports no runtime): where they were
 * found (`sourceLabel`, in words), the server, how to sign in, and a hint such as where to get
 * an app password.
 */
export interface AutoconfigView {
  source: 'preset' | 'autoconfig' | 'srv' | 'mx' | 'guess';
  sourceLabel: string;
  host: string;
  port: number;
  tls: 'implicit' | 'starttls';
  auth: 'password' | 'app-password' | 'oauth2';
  oauth2Provider?: 'google' | 'microsoft' | undefined;
  maxConnections?: number | undefined;
  openUrl?: string | undefined;
  hint?: string | undefined;
  presetId?: string | undefined;
  user?: string | undefined;
  /** Why the server must be confirmed before use: outside the address's domain, named by DNS. */
  needsConfirmation?: string | undefined;
}

const accountIdInputSchema = z.strictObject({ id: z.string().min(1).max(64) });

/** An account as the window sees it: never a password, only whether one is stored. */
export interface AccountView {
  id: string;
  name?: string | undefined;
  host: string;
  port?: number | undefined;
  tls: 'implicit' | 'starttls' | 'none';
  user: string;
  mailboxes: string[];
  /** Every folder that can hold new mail ("All folders"); `mailboxes` is then INBOX. */
  allMailboxes?: boolean | undefined;
  allowInsecureAuth: boolean;
  openUrl?: string | undefined;
  caFile?: string | undefined;
  certificateFingerprint?: string | undefined;
  /** False: the account's mail is counted, never popped up; absent means popups on. */
  popups?: boolean | undefined;
  /** Watched mailboxes counted but never popped up. */
  quietMailboxes?: string[] | undefined;
  /** The buttons of a single message's popup, in order; absent: Mark as read and Delete. */
  popupActions?: Array<'read' | 'delete' | 'archive'> | undefined;
  /** What clicking a single message's popup does; absent: open it. */
  popupClick?: 'open' | 'read' | 'none' | undefined;
  /** Where Delete and Archive move mail when the server marks no such mailbox. */
  trashMailbox?: string | undefined;
  archiveMailbox?: string | undefined;
  hasPassword: boolean;
  /** Absent: a password account. */
  auth?: 'password' | 'oauth2' | undefined;
  /** The OAuth2 provider and the user's own client id; a client secret is only said to exist. */
  oauth2?:
    { provider: 'google' | 'microsoft' | 'custom'; clientId?: string | undefined } | undefined;
  hasClientSecret?: boolean | undefined;
  /** True when a refresh token is stored (encrypted, in main); the window never sees it. */
  signedIn?: boolean | undefined;
}

/** Everything the settings window shows. */
export interface SettingsView {
  accounts: AccountView[];
  notifications: z.infer<typeof notificationSettingsSchema>;
  liveness: z.infer<typeof livenessSettingsSchema>;
  startAtLogin: boolean;
  checkForUpdates: boolean;
  tray: z.infer<typeof traySettingsSchema>;
  /** Set when passwords cannot be stored encrypted (e.g. Linux without a keyring). */
  secretStorageWarning: string | null;
  /** Set when the desktop shows no tray icons: the window then stays (see tray-host.ts). */
  trayWarning?: string | null | undefined;
}

/**
 * How the app's updates stand: `off` (with why: turned off, a package manager's build, a
 * development build), `idle` (with the last check's time), `checking`, `downloading`, `ready`
 * (installs on restart), or `error` (the last check's failure, in one line).
 */
export type UpdateStatus =
  | { state: 'off'; reason: string }
  | { state: 'idle'; checkedAt: string | null }
  | { state: 'checking' }
  | { state: 'downloading'; version: string; percent: number | null }
  | { state: 'ready'; version: string }
  | { state: 'error'; message: string; checkedAt: string };

/** What the About section shows: this build, its log, and its updates. */
export interface AboutView {
  /** "0.1.0 (abc1234def56)". */
  version: string;
  logPath: string;
  update: UpdateStatus;
}

/** One watcher's state, for the window's live list. */
export interface StatusView {
  account: string;
  mailbox: string;
  state: WatcherState;
  detail: string;
  unread: number | null;
  /** Pushed by NOTIFY or IDLE, or polled with STATUS (see WatcherStatus). */
  via?: WatchVia;
}

/**
 * A server certificate that the account's rules do not trust, as "Test connection" found it
 * (read without trusting it, never used to log in): what the window shows so the user can
 * decide to pin it ("Trust this certificate" fills `certificateFingerprint`; nothing pins by
 * itself).
 */
export interface CertificateView {
  /** "AB:CD:…", the value a pin takes. */
  fingerprint256: string;
  subject: string;
  issuer: string;
  /** ISO dates. */
  validFrom: string;
  validTo: string;
  /** Why it is not trusted ("self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)"). */
  problem: string;
  /** The account pins another certificate already: trusting this one replaces that pin. */
  replacesPin: boolean;
  /**
   * False for a provider whose certificates come from public authorities (Gmail, Outlook…):
   * an untrusted one there means something is in the way, and no pin is offered.
   */
  pinnable: boolean;
  /** The provider preset of the server (host and port), e.g. "Proton Mail Bridge". */
  provider?: string | undefined;
}

/**
 * The outcome of "Test connection", with the mailboxes to pick from when it worked. A `tls`
 * failure carries the refused certificate when it could be read. `busy`: no connection of the
 * account's budget came free in time; `cancelled`: the window closed while it waited.
 */
export type ConnectionTestResult =
  | { ok: true; mailboxes: string[] }
  | { ok: false; code: string; message: string; certificate?: CertificateView | undefined };

/** A request main refused, with one message per field where it can tell. */
export interface RequestError {
  code: 'invalid-request' | 'not-found' | 'failed';
  message: string;
  fields: Record<string, string>;
}

/** Either a value or a `RequestError`: handlers never throw across IPC. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: RequestError };

/** Invoke channels: request schema (validated in main) and response type. */
export const invokeSchemas = {
  'settings:get': z.undefined(),
  'status:get': z.undefined(),
  'account:save': accountInputSchema,
  'account:remove': accountIdInputSchema,
  'account:test': accountInputSchema,
  'preferences:save': preferencesInputSchema,
  'account:sign-in': signInInputSchema,
  'account:sign-in-cancel': z.undefined(),
  'account:autoconfigure': autoconfigureInputSchema,
  'about:get': z.undefined(),
  'update:check': z.undefined(),
  'update:restart': z.undefined(),
} as const;

/** What each invoke channel answers. */
export interface InvokeResponses {
  'settings:get': Result<SettingsView>;
  'status:get': Result<StatusView[]>;
  'account:save': Result<SettingsView>;
  'account:remove': Result<SettingsView>;
  'account:test': Result<ConnectionTestResult>;
  'preferences:save': Result<SettingsView>;
  'account:sign-in': Result<SignInOutcome>;
  /** `cancelled`: whether a sign-in was waiting. */
  'account:sign-in-cancel': Result<{ cancelled: boolean }>;
  /** null: nothing found for the address's domain (the window opens "Manual settings"). */
  'account:autoconfigure': Result<AutoconfigView | null>;
  'about:get': Result<AboutView>;
  /** Checks now; answers with the outcome (the events follow its progress). */
  'update:check': Result<UpdateStatus>;
  /** `restarting`: false when no downloaded update waits. */
  'update:restart': Result<{ restarting: boolean }>;
}

export type InvokeChannel = keyof typeof invokeSchemas;
export type InvokeRequest<C extends InvokeChannel> = z.infer<(typeof invokeSchemas)[C]>;

/** Events main pushes to the window. */
export interface EventPayloads {
  'status:changed': StatusView[];
  /** What the running "Test connection" waits for (a free connection of the account's budget). */
  'account:test-progress': { message: string };
  'update:changed': UpdateStatus;
}
export type EventChannel = keyof EventPayloads;

/** Every channel name, for the preload's allow-list. */
export const invokeChannels = Object.keys(invokeSchemas) as InvokeChannel[];
export const eventChannels: EventChannel[] = [
  'status:changed',
  'account:test-progress',
  'update:changed',
];
