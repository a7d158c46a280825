/**
 * What a session needs to connect: where, how (TLS mode, trust), as whom, and under which
 * deadlines; and how that becomes imapflow's options (no auto-IDLE, no compression, its own
 * timeouts at our deadline, our logger, response limits that fit a notifier).
 */
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { ImapFlowOptions } from 'imapflow';
import {
  resolvePort,
  type AccountSettings,
  type TlsMode,
} from '../../../common/settings-schema.js';
import type { Credentials } from '../base/index.js';
import { transportOver, type EarlyConnections } from './early-transport.js';
import { createImapLogger } from './imap-logger.js';
import { imapFlowLimits } from './response-limits.js';
import type { Clock, Logger } from '../base/index.js';

/** Where and how to connect. */
export interface SessionOptions {
  host: string;
  port: number;
  tls: TlsMode;
  /** Extra certificate authorities (PEM file) to trust besides the system's. */
  caFile?: string | undefined;
  /** Trust exactly the certificate with this SHA-256 fingerprint, checked before LOGIN. */
  certificateFingerprint?: string | undefined;
  user: string;
  /** A password, or an OAuth2 access token (imapflow picks OAUTHBEARER, else XOAUTH2). */
  credentials: Credentials;
  /** Deadline for each command, and for the whole connect-greet-login sequence. */
  commandTimeoutMs: number;
  /** imapflow's own inactivity backstop; ours (heartbeat + deadline) should fire first. */
  socketTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** Names the connection in logs: "work/INBOX". */
  label: string;
  /** Where a connection opened before the session may wait for it (`tidings watch`'s start). */
  early?: EarlyConnections | undefined;
}

/** Session options for an account: where and how to connect come from its settings. */
export function accountSessionOptions(
  account: AccountSettings,
  secret: string | Credentials,
  runtime: Pick<
    SessionOptions,
    'commandTimeoutMs' | 'socketTimeoutMs' | 'clock' | 'logger' | 'label' | 'early'
  >,
): SessionOptions {
  return {
    host: account.host,
    port: resolvePort(account),
    tls: account.tls,
    caFile: account.caFile,
    certificateFingerprint: account.certificateFingerprint,
    user: account.user,
    credentials: typeof secret === 'string' ? { kind: 'password', password: secret } : secret,
    ...runtime,
  };
}

/**
 * imapflow's options for a session, with the TLS options resolved for it; over `early`, a
 * TCP connection to its server already open, when there is one.
 */
export function toImapFlowOptions(
  options: SessionOptions,
  tls: ConnectionOptions,
  early?: Socket,
): ImapFlowOptions {
  return {
    ...(early ? { transport: transportOver(early) } : {}),
    tls,
    host: options.host,
    port: options.port,
    secure: options.tls === 'implicit',
    // true: STARTTLS is required, never a silent plaintext fallback; false: plain text.
    doSTARTTLS: options.tls === 'starttls' ? true : options.tls === 'none' ? false : undefined,
    // imapflow 2.10.2 (commands/authenticate.js): with accessToken it uses AUTHENTICATE
    // OAUTHBEARER when offered, else XOAUTH2, and never falls back to a password.
    auth:
      options.credentials.kind === 'oauth2'
        ? { user: options.user, accessToken: options.credentials.accessToken }
        : { user: options.user, pass: options.credentials.password },
    logger: createImapLogger(options.logger, options.label),
    disableAutoIdle: true,
    disableCompression: true,
    connectionTimeout: options.commandTimeoutMs,
    greetingTimeout: options.commandTimeoutMs,
    socketTimeout: options.socketTimeoutMs,
    clientInfo: { name: 'Tidings' },
    // Per line, literal and response: a breach ends the connection as a protocol error.
    ...imapFlowLimits,
  };
}
