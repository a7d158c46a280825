/**
 * What a session needs to connect: where, how (TLS mode, trust), as whom, and under which
 * deadlines; and how that becomes imapflow's options (no auto-IDLE, no compression, its own
 * timeouts at our deadline, our logger).
 */
import type { ConnectionOptions } from 'node:tls';
import type { ImapFlowOptions } from 'imapflow';
import { resolvePort, type AccountSettings, type TlsMode } from '../../common/settings-schema.js';
import { createImapLogger } from './imap-logger.js';
import type { Clock, Logger } from './ports.js';

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
  password: string;
  /** Deadline for each command, and for the whole connect-greet-login sequence. */
  commandTimeoutMs: number;
  /** imapflow's own inactivity backstop; ours (heartbeat + deadline) should fire first. */
  socketTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** Names the connection in logs: "work/INBOX". */
  label: string;
}

/** Session options for an account: where and how to connect come from its settings. */
export function accountSessionOptions(
  account: AccountSettings,
  password: string,
  runtime: Pick<
    SessionOptions,
    'commandTimeoutMs' | 'socketTimeoutMs' | 'clock' | 'logger' | 'label'
  >,
): SessionOptions {
  return {
    host: account.host,
    port: resolvePort(account),
    tls: account.tls,
    caFile: account.caFile,
    certificateFingerprint: account.certificateFingerprint,
    user: account.user,
    password,
    ...runtime,
  };
}

/** imapflow's options for a session, with the TLS options resolved for it. */
export function toImapFlowOptions(
  options: SessionOptions,
  tls: ConnectionOptions,
): ImapFlowOptions {
  return {
    tls,
    host: options.host,
    port: options.port,
    secure: options.tls === 'implicit',
    // true: STARTTLS is required, never a silent plaintext fallback; false: plain text.
    doSTARTTLS: options.tls === 'starttls' ? true : options.tls === 'none' ? false : undefined,
    auth: { user: options.user, pass: options.password },
    logger: createImapLogger(options.logger, options.label),
    disableAutoIdle: true,
    disableCompression: true,
    connectionTimeout: options.commandTimeoutMs,
    greetingTimeout: options.commandTimeoutMs,
    socketTimeout: options.socketTimeoutMs,
    clientInfo: { name: 'Tidings' },
  };
}
