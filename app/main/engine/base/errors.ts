/**
 * Errors as values: every failure the engine sees becomes a `TidingsError` with a code from a
 * small union, the original kept as `cause`. One function decides what each code means for
 * the watcher (retry with backoff, or stop and tell the user).
 */
import { sanitizeServerText } from './sanitize-text.js';

/** The kinds of failure the engine distinguishes. */
export type ErrorCode = 'auth' | 'tls' | 'network' | 'timeout' | 'protocol' | 'config' | 'mailbox';

/** An engine error: a code, a message fit for a user, and the original error. */
export class TidingsError extends Error {
  override readonly name = 'TidingsError';
  /** The server ended the session because the OAuth2 access token expired: sign in afresh. */
  readonly credentialsExpired: boolean;
  /** How long the server asked us to stay away (Microsoft 365's "Suggested Backoff Time"). */
  readonly retryAfterMs: number | undefined;
  /** The server refused one more connection of this user (its limit, not ours, was reached). */
  readonly tooManyConnections: boolean;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: {
      cause?: unknown;
      credentialsExpired?: boolean;
      retryAfterMs?: number;
      tooManyConnections?: boolean;
    },
  ) {
    super(message, options);
    this.credentialsExpired = options?.credentialsExpired ?? false;
    this.retryAfterMs = options?.retryAfterMs;
    this.tooManyConnections = options?.tooManyConnections ?? false;
  }
}

const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'StateLogout',
]);
const timeoutCodes = new Set([
  'ETIMEDOUT',
  'ETIMEOUT',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'LockTimeout',
]);
const TOO_MANY_CONNECTIONS = 'too many connections to this account';
const transientResponseCodes = new Set(['UNAVAILABLE', 'INUSE', 'LIMIT', 'SERVERBUG', 'OVERQUOTA']);
/**
 * Refusals for now that big providers word in text rather than in an RFC 5530 code, each
 * with what the user is told. Checked before a failed login counts as a wrong password:
 * Gmail refuses a sixteenth connection with `NO [ALERT] Too many simultaneous connections.
 * (Failure)` to LOGIN, and that is no reason to stop and ask for a new password.
 */
const refusalsForNow: ReadonlyArray<{ pattern: RegExp; say: string }> = [
  // Gmail: `[THROTTLED]` (at the front as a code, or trailing the text); Microsoft 365:
  // `BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds`.
  { pattern: /\[THROTTLED\]|\bRequest is throttled\b/i, say: 'throttled by the server' },
  {
    pattern: /too many (simultaneous |concurrent )?connections|maximum number of connections/i,
    say: TOO_MANY_CONNECTIONS,
  },
  // Exchange Online answers SELECT (or LIST, NAMESPACE) after an accepted login with `BAD User
  // is authenticated but not connected.`: reported after too many connections or logins in a
  // short time, and for a mailbox that may not use IMAP; it clears on its own in the first case.
  {
    pattern: /User is authenticated but not connected/i,
    say: 'the server took the login but refused the session (too many connections or logins lately, or no IMAP access for this mailbox)',
  },
];
const networkMessages: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server or the network',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed for now',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
};

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
  tlsFailed?: unknown;
  responseStatus?: unknown;
  /** imapflow's ETHROTTLE: the server's suggested backoff in milliseconds. */
  throttleReset?: unknown;
  /** imapflow's LineTooLarge, LiteralTooLarge, ResponseTooLarge: the limit, and the size. */
  maxSize?: unknown;
  literalSize?: unknown;
}

/**
 * imapflow's response limits (handler/imap-stream.js in 2.10.2), set in imap/response-limits.ts:
 * what each breach is called in a status. (Its parser's limit of a million tokens a response,
 * TooManyTokens in handler/token-parser.js, counts tokens, not bytes: its message stands.)
 */
const responseLimits: Record<string, string> = {
  LineTooLarge: 'line',
  LiteralTooLarge: 'literal',
  ResponseTooLarge: 'response',
};

/**
 * Turns anything thrown by imapflow, node:net or node:tls into a `TidingsError`. This is where
 * server text becomes an error message: response text, and messages that quote the server or
 * its certificate (altnames), lose escape sequences and line breaks here, and are capped.
 */
export function classifyError(error: unknown): TidingsError {
  if (error instanceof TidingsError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = sanitizeServerText(typeof e.message === 'string' ? e.message : String(error));
  const serverText = sanitizeServerText(e.responseText);
  const responseCode = typeof e.serverResponseCode === 'string' ? e.serverResponseCode : '';
  const refusal = refusalsForNow.find(({ pattern }) => pattern.test(serverText));
  if (refusal || code === 'ETHROTTLE' || responseCode === 'THROTTLED') {
    const say = refusal?.say ?? 'throttled by the server';
    const retryAfterMs =
      typeof e.throttleReset === 'number' && e.throttleReset > 0 ? e.throttleReset : undefined;
    const asked = retryAfterMs !== undefined && !/Backoff Time/i.test(serverText);
    const wait = asked ? ` (it asks us to wait ${Math.ceil(retryAfterMs / 1000)} s)` : '';
    return new TidingsError('network', `${say}: ${serverText || message}${wait}`, {
      cause: error,
      retryAfterMs,
      tooManyConnections: say === TOO_MANY_CONNECTIONS,
    });
  }
  // RFC 5530: UNAVAILABLE, INUSE, LIMIT and friends refuse a login for now, not for good.
  if (transientResponseCodes.has(responseCode)) {
    return new TidingsError('network', `server busy: ${serverText || message}`, { cause: error });
  }
  // imapflow flags any failed LOGIN; a BAD means the server did not understand it, which is a
  // protocol failure, not a wrong password.
  const rejected = e.authenticationFailed === true && e.responseStatus !== 'BAD';
  if (rejected || responseCode === 'AUTHENTICATIONFAILED') {
    return new TidingsError('auth', `login rejected: ${serverText || message}`, { cause: error });
  }
  const limited = responseLimits[code];
  if (limited !== undefined && typeof e.maxSize === 'number') {
    const announced =
      code === 'LiteralTooLarge' && typeof e.literalSize === 'number' && e.literalSize !== Infinity
        ? ` (it announced ${e.literalSize} bytes)`
        : '';
    return new TidingsError(
      'protocol',
      `the server sent a response larger than the limit of ${formatBytes(e.maxSize)} per ` +
        `${limited}${announced}`,
      { cause: error },
    );
  }
  if (e.tlsFailed === true || isTlsCode(code)) {
    return new TidingsError('tls', `TLS failed: ${message}`, { cause: error });
  }
  if (timeoutCodes.has(code)) {
    return new TidingsError('timeout', `timed out: ${message}`, { cause: error });
  }
  if (networkCodes.has(code)) {
    return new TidingsError('network', networkMessages[code] ?? message, { cause: error });
  }
  if (code === 'NotFound' || e.serverResponseCode === 'NONEXISTENT') {
    return new TidingsError('mailbox', `mailbox not found: ${serverText || message}`, {
      cause: error,
    });
  }
  return new TidingsError('protocol', serverText || message, { cause: error });
}

// Node's TLS errors carry OpenSSL's verification codes (DEPTH_ZERO_SELF_SIGNED_CERT,
// UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED…) or ERR_TLS_* / ERR_SSL_* codes.
function isTlsCode(code: string): boolean {
  return /^ERR_(TLS|SSL)_|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code);
}

/** "8 MiB", "16 KiB", "1500 bytes". */
export function formatBytes(bytes: number): string {
  const KiB = 1024;
  const MiB = 1024 * KiB;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} bytes`;
}

/** Whether retrying on our own can help; the others wait for the user. */
export function isTransient(error: TidingsError): boolean {
  return error.code === 'network' || error.code === 'timeout' || error.code === 'protocol';
}
