/**
 * The settings schema shared by `tidings watch` (a JSON file) and the desktop app (its store).
 * Validation is strict: an unknown key is reported by name, because a misspelt
 * "pasword" that is silently ignored is worse than an error.
 */
import { z } from 'zod';
import { isHttpsOrLoopbackUrl, isHttpsUrl } from './https-url.js';
import { toPrintableLine } from './printable-line.js';
import { isHostName, resolvePort, TLS_MODES } from './server-address.js';

export { isHostName, resolvePort };

/** How the connection is secured: TLS from the first byte, STARTTLS upgrade, or none at all. */
export const tlsModeSchema = z.enum(TLS_MODES);
export type TlsMode = z.infer<typeof tlsModeSchema>;

const accountIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1–64 letters, digits, ".", "_" or "-"');

/** Longest accepted values: bounded input from a file or the window, never unbounded. */
export const limits = {
  user: 320,
  secret: 1024,
  path: 4096,
  url: 2048,
  mailboxName: 1000,
  mailboxes: 200,
} as const;

/** The address opened when a notification is clicked: webmail over https, nothing else. */
export const openUrlSchema = z
  .string()
  .max(limits.url)
  .refine(isHttpsUrl, 'expected a web address starting with https://');

// An identity provider's endpoint: tokens travel over it, so https (or this machine itself).
const providerUrlSchema = z
  .string()
  .max(limits.url)
  .refine(isHttpsOrLoopbackUrl, 'expected an https:// address (http only on this machine)');

/** The OAuth2 providers built in, and `custom` for any other (its URLs and scope given). */
export const oauth2ProviderSchema = z.enum(['google', 'microsoft', 'custom']);

/** An account's OAuth2 client: which provider, and optionally the user's own client. */
export const oauth2SettingsSchema = z
  .strictObject({
    provider: oauth2ProviderSchema,
    clientId: z.string().min(1).max(limits.url).optional(),
    clientSecret: z.string().min(1).max(limits.secret).optional(),
    authorizationUrl: providerUrlSchema.optional(),
    tokenUrl: providerUrlSchema.optional(),
    scope: z.string().min(1).max(limits.url).optional(),
  })
  .superRefine((oauth2, ctx) => {
    if (oauth2.provider !== 'custom') return;
    for (const key of ['authorizationUrl', 'tokenUrl', 'scope', 'clientId'] as const) {
      if (!oauth2[key]) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'a custom provider needs it' });
      }
    }
  });
export type OAuth2Settings = z.infer<typeof oauth2SettingsSchema>;

/**
 * A command run for new mail (headless only). An array is run as it is, without a shell
 * (argv[0] looked up on PATH); a string runs through the user's shell (`/bin/sh -c`, cmd.exe
 * on Windows) because the user wrote one. Message data never enters the command line: it
 * goes in environment variables and one JSON line on stdin.
 */
export const hookCommandSchema = z.union([
  z.array(z.string().min(1).max(limits.path)).min(1).max(100),
  z.string().trim().min(1).max(limits.path),
]);
export type HookCommand = z.infer<typeof hookCommandSchema>;

/**
 * How an account waits for mail: `auto` uses NOTIFY (RFC 5465, one connection for every
 * watched mailbox) where the server offers it, else IDLE per mailbox within the connection
 * budget and STATUS polling for the rest; `notify` and `idle` force one way.
 */
export const watchModeSchema = z.enum(['auto', 'notify', 'idle']);
export type WatchMode = z.infer<typeof watchModeSchema>;

/** An account's fields, before the checks that relate one field to another. */
export const accountFieldsSchema = z.strictObject({
  id: accountIdSchema,
  name: z.string().min(1).max(100).optional(),
  host: z
    .string()
    .min(1, 'must not be empty')
    .max(255)
    .refine(isHostName, 'expected a host name or an IP address, such as imap.example.com'),
  port: z.number().int().min(1).max(65535).optional(),
  tls: tlsModeSchema.default('implicit'),
  user: z.string().min(1, 'must not be empty').max(limits.user),
  /**
   * The address the account was set up from. In a headless config it may stand alone (with
   * the secret): host, port, TLS, user and sign-in kind are then looked up from it.
   */
  email: z
    .string()
    .trim()
    .max(limits.user)
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'expected an email address')
    .optional(),
  /** The most IMAP connections this account may hold at once (the provider's limit). */
  maxConnections: z.number().int().min(1).max(100).optional(),
  password: z.string().min(1).max(limits.secret).optional(),
  passwordEnv: z.string().min(1).max(255).optional(),
  passwordCommand: z.string().min(1).max(limits.path).optional(),
  /** How the account signs in: a password (the default) or OAuth2 (Gmail, Microsoft 365). */
  auth: z.enum(['password', 'oauth2']).optional(),
  oauth2: oauth2SettingsSchema.optional(),
  /** OAuth2: the refresh token, from an environment variable or a command's first line. */
  refreshTokenEnv: z.string().min(1).max(255).optional(),
  refreshTokenCommand: z.string().min(1).max(limits.path).optional(),
  /** OAuth2 through an external token helper (oama, pizauth): run before every connect. */
  accessTokenCommand: z.string().min(1).max(limits.path).optional(),
  mailboxes: z
    .array(z.string().min(1).max(limits.mailboxName), {
      error: 'expected a list of mailbox names, or "all"',
    })
    .min(1)
    .max(limits.mailboxes)
    .default(['INBOX']),
  /**
   * Watch every mailbox that can hold new mail, following the tree as it changes (written
   * `"mailboxes": "all"` in a config file; see app/main/engine/watch/all-mailboxes.ts).
   * `mailboxes` then holds what is watched before the first LIST: INBOX.
   */
  allMailboxes: z.boolean().optional(),
  /** Under "all": names, or patterns with "*", never watched. */
  ignoreMailboxes: z
    .array(z.string().min(1).max(limits.mailboxName))
    .max(limits.mailboxes)
    .optional(),
  allowInsecureAuth: z.boolean().default(false),
  /** A PEM file of extra certificate authorities to trust (a private or company CA). */
  caFile: z.string().min(1).max(limits.path).optional(),
  /** Trust exactly this certificate (SHA-256, hex, colons optional), e.g. a self-signed one. */
  certificateFingerprint: z
    .string()
    .regex(
      /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
      'expected a SHA-256 fingerprint (64 hex digits)',
    )
    .optional(),
  openUrl: openUrlSchema.optional(),
  // The popup rules below are optional, not defaulted: absent means "pop up as usual", and
  // settings written before they existed stay as they were.
  /** False: this account's mail is counted in the tray and the stream, never popped up. */
  popups: z.boolean().optional(),
  /** Mailboxes of this account counted but never popped up (a "Lists" folder). */
  quietMailboxes: z
    .array(z.string().min(1).max(limits.mailboxName))
    .max(limits.mailboxes)
    .optional(),
  /**
   * Where Delete moves a message when the server marks no mailbox `\Trash` (SPECIAL-USE,
   * RFC 6154); without either, the usual names (Trash, Deleted Items, …) are tried.
   */
  trashMailbox: z.string().min(1).max(limits.mailboxName).optional(),
  /** Where Archive moves a message when the server marks no mailbox `\Archive`. */
  archiveMailbox: z.string().min(1).max(limits.mailboxName).optional(),
  /**
   * The buttons of this account's single-message popups, in order (default: Mark as read and
   * Delete; Archive when listed; [] for none). Where the platform shows buttons: macOS and
   * Windows.
   */
  popupActions: z
    .array(z.enum(['read', 'delete', 'archive']))
    .max(3)
    .refine((actions) => new Set(actions).size === actions.length, 'an action is listed twice')
    .optional(),
  /**
   * What clicking one of this account's single-message popups does: open the message (its
   * `openUrl`, else the mail client; the default), mark it as read, or only close the popup.
   */
  popupClick: z.enum(['open', 'read', 'none']).optional(),
  /** NOTIFY, IDLE or auto (the default); see `watchModeSchema`. */
  watchMode: watchModeSchema.optional(),
  /** Seconds between STATUS checks of mailboxes neither NOTIFY nor IDLE can push (60). */
  pollSeconds: z.number().int().min(5).max(3600).optional(),
  /** Headless: run for new mail in this account (wins over `hooks.onNewMail`). */
  onNewMail: hookCommandSchema.optional(),
  /** Headless: run once after a burst of new mail has settled (wins over `hooks.onNewMailPost`). */
  onNewMailPost: hookCommandSchema.optional(),
});

/** The checks between an account's fields, shared by the config file and the window's input. */
export function checkAccount(
  account: Partial<z.infer<typeof accountFieldsSchema>> &
    Pick<z.infer<typeof accountFieldsSchema>, 'tls' | 'allowInsecureAuth' | 'mailboxes'>,
  ctx: z.RefinementCtx,
): void {
  const passwordSources = ['password', 'passwordEnv', 'passwordCommand'] as const;
  const tokenSources = ['refreshTokenEnv', 'refreshTokenCommand', 'accessTokenCommand'] as const;
  const oauth2 = account.auth === 'oauth2';
  const sources = oauth2 ? tokenSources : passwordSources;
  const given = sources.filter((key) => account[key] !== undefined);
  if (given.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: [given[1] ?? sources[0]],
      message: `give only one of ${sources.join(', ')}`,
    });
  }
  // A password for an OAuth2 account, or a token for a password one, is a mistake to name.
  for (const key of oauth2 ? passwordSources : tokenSources) {
    if (account[key] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: oauth2
          ? 'an OAuth2 account signs in with tokens, not a password'
          : 'needs "auth": "oauth2"',
      });
    }
  }
  if (oauth2 && !account.oauth2 && account.accessTokenCommand === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['oauth2'],
      message: 'give the provider: {"provider": "google" | "microsoft" | "custom"}',
    });
  }
  if (!oauth2 && account.oauth2 !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['oauth2'], message: 'needs "auth": "oauth2"' });
  }
  if (account.tls === 'none' && (account.caFile || account.certificateFingerprint)) {
    ctx.addIssue({
      code: 'custom',
      path: ['tls'],
      message: 'caFile and certificateFingerprint need tls "implicit" or "starttls"',
    });
  }
  if (account.tls === 'none' && !account.allowInsecureAuth) {
    ctx.addIssue({
      code: 'custom',
      path: ['tls'],
      message: '"none" sends the password in clear text: set allowInsecureAuth to true to allow it',
    });
  }
  if (new Set(account.mailboxes).size !== account.mailboxes.length) {
    ctx.addIssue({ code: 'custom', path: ['mailboxes'], message: 'lists a mailbox twice' });
  }
  const all = account.mailboxes.findIndex((mailbox) => mailbox.toLowerCase() === 'all');
  if (all >= 0 && !account.allMailboxes) {
    ctx.addIssue({
      code: 'custom',
      path: ['mailboxes', all],
      message:
        '"all" is not a mailbox of a list: write "mailboxes": "all" to watch every folder, and "ignoreMailboxes" for the exceptions',
    });
  }
  if (account.ignoreMailboxes !== undefined && !account.allMailboxes) {
    ctx.addIssue({
      code: 'custom',
      path: ['ignoreMailboxes'],
      message: 'needs "mailboxes": "all" (with a list, leave the mailbox out of it)',
    });
  }
  // Under "all" the watched set is only known once the server has listed it.
  const unwatched = account.allMailboxes
    ? []
    : (account.quietMailboxes ?? []).filter((m) => !account.mailboxes.includes(m));
  if (unwatched.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['quietMailboxes'],
      message: `not among the watched mailboxes: ${unwatched.join(', ')}`,
    });
  }
}

/** One IMAP account and the mailboxes to watch in it. */
export const accountSchema = accountFieldsSchema.superRefine(checkAccount);
export type AccountSettings = z.infer<typeof accountSchema>;

/** Notification preferences. */
/** Days of the week as the config and the window write them. */
export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const timeOfDaySchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day as HH:MM, such as 22:00');

/** A quiet period: on these days, from–to local time (may cross midnight: "22:00"–"07:00"). */
export const quietPeriodSchema = z
  .strictObject({
    days: z.array(z.enum(weekdays)).min(1, 'choose at least one day').max(7),
    from: timeOfDaySchema,
    to: timeOfDaySchema,
  })
  .refine((period) => period.from !== period.to, {
    path: ['to'],
    message: 'ends when it starts: for a whole day, give 00:00 to 23:59',
  });
export type QuietPeriodSettings = z.infer<typeof quietPeriodSchema>;

// An address ("ann@example.com") or a domain ("example.com", "@example.com").
const senderPatternSchema = z
  .string()
  .trim()
  .min(1)
  .max(limits.user)
  .regex(/^([^\s@]+@)?@?[^\s@]+\.[^\s@]+$|^[^\s@]+@[^\s@]+$/, 'expected an address or a domain');
const senderListSchema = z.array(senderPatternSchema).max(1000).optional();

export const notificationSettingsSchema = z.strictObject({
  burstThreshold: z.number().int().min(1).max(1000).default(5),
  /** Play the system's notification sound. */
  sound: z.boolean().default(true),
  /** Show sender and subject; off, a popup only says that mail arrived (privacy). */
  showSubject: z.boolean().default(true),
  /**
   * The first line of a single message's text in its popup and stream line (issue 24), read
   * with BODY.PEEK (the message stays unread) in at most a few KB; never with `showSubject`
   * off. On by default like Thunderbird's new-mail alert: it costs one small FETCH per message
   * that pops up alone, none in a storm.
   */
  preview: z.boolean().default(true),
  /** When popups and sounds wait (the stream and the tray go on), ending in one catch-up. */
  quietHours: z.array(quietPeriodSchema).max(50).optional(),
  /** Senders who always pop up, in quiet hours too (not during a manual pause). */
  vip: senderListSchema,
  /** Senders whose mail never pops up (still counted). */
  muteSenders: senderListSchema,
  /** Mailing lists (List-Id, RFC 2919) whose mail never pops up (still counted). */
  muteLists: z.array(z.string().trim().min(1).max(limits.url)).max(1000).optional(),
});

/**
 * Liveness: the heartbeat must stay well under the 29 minutes after which RFC 2177 §3
 * allows a server to drop an idle client.
 */
export const livenessSettingsSchema = z.strictObject({
  heartbeatSeconds: z.number().min(1).max(1740).default(60),
  commandTimeoutSeconds: z.number().min(0.5).max(300).default(15),
  /** The longest wait between reconnect attempts (full jitter below it). */
  maxBackoffSeconds: z.number().min(1).max(3600).default(300),
});

/** The hooks every account runs unless it names its own (headless `tidings watch` only). */
export const hookSettingsSchema = z.strictObject({
  onNewMail: hookCommandSchema.optional(),
  onNewMailPost: hookCommandSchema.optional(),
  /** A run longer than this gets SIGTERM, and SIGKILL a few seconds later. */
  timeoutSeconds: z.number().min(1).max(3600).default(60),
  /** `onNewMailPost` runs once no new mail has come to the account for this long. */
  settleSeconds: z.number().min(0).max(600).default(2),
});
export type HookSettings = z.infer<typeof hookSettingsSchema>;

/**
 * What the desktop app's tray icon shows (the headless CLI has no tray). The defaults keep
 * the icon as it always was: a dot for unread mail, no number.
 */
export const traySettingsSchema = z.strictObject({
  /** Draw the count in the icon ("3", "99+"), not only a dot. */
  countInIcon: z.boolean().default(false),
  /**
   * What the icon counts: `new`, the mail that came since the tray's menu was last opened or
   * a popup clicked (less what was read or went away since); `unread`, all unread mail.
   */
  count: z.enum(['new', 'unread']).default('unread'),
});
export type TraySettings = z.infer<typeof traySettingsSchema>;

/** Notification preferences when none are given (each field's own default). */
export const defaultNotificationSettings = notificationSettingsSchema.parse({});
/** Liveness settings when none are given (each field's own default). */
export const defaultLivenessSettings = livenessSettingsSchema.parse({});
/** The tray as it always looked: a dot for unread mail. */
export const defaultTraySettings = traySettingsSchema.parse({});

/**
 * `"mailboxes": "all"` in a config file is the stored `"allMailboxes": true`, with INBOX as
 * what is watched until the server has listed the rest.
 */
function expandAllMailboxes(account: unknown): unknown {
  if (typeof account !== 'object' || account === null || Array.isArray(account)) return account;
  const { mailboxes } = account as { mailboxes?: unknown };
  if (typeof mailboxes !== 'string' || mailboxes.toLowerCase() !== 'all') return account;
  return { ...account, mailboxes: ['INBOX'], allMailboxes: true };
}

/** The whole settings document. */
export const settingsSchema = z
  .strictObject({
    accounts: z
      .array(z.preprocess(expandAllMailboxes, accountSchema))
      .min(1, 'list at least one account'),
    notifications: notificationSettingsSchema.default(defaultNotificationSettings),
    liveness: livenessSettingsSchema.default(defaultLivenessSettings),
    hooks: hookSettingsSchema.optional(),
  })
  .superRefine((settings, ctx) => {
    const seen = new Set<string>();
    settings.accounts.forEach((account, index) => {
      if (seen.has(account.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', index, 'id'],
          message: `"${account.id}" is used by an earlier account`,
        });
      }
      seen.add(account.id);
    });
  });
export type Settings = z.infer<typeof settingsSchema>;
export type NotificationSettings = Settings['notifications'];
export type LivenessSettings = Settings['liveness'];

/**
 * Formats validation issues as "accounts[0].port: message" lines, one per problem; a message
 * that echoes a key or a value is kept to one printable line.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path
      .map((part, i) =>
        typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    return toPrintableLine(`${path || '(top level)'}: ${issue.message}`);
  });
}
