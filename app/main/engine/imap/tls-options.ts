/**
 * Node's TLS options for an account, and what a TLS failure tells the user. A caFile adds to
 * the system's authorities. A pinned certificate fingerprint is compared on the login
 * connection itself, before any credentials are sent: imapflow hands its `tls` options to
 * `tls.connect` for implicit TLS and for the STARTTLS upgrade alike, and Node calls
 * `checkServerIdentity` from the handshake's end, before 'secureConnect' (_tls_wrap.js
 * onConnectSecure). Node calls it only when the chain verified, so a probe first learns the
 * presented certificate's PEM to trust; a server switched in after the probe fails the pin.
 */
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { rootCertificates, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { TlsMode } from '../../../common/settings-schema.js';
import { classifyError, TidingsError } from '../base/index.js';
import { sanitizeServerText } from '../base/index.js';
import { normalizeFingerprint, probeCertificate } from './tls-probe.js';

/** What TLS needs from an account's session options. */
export interface TlsSettings {
  host: string;
  port: number;
  tls: TlsMode;
  caFile?: string | undefined;
  certificateFingerprint?: string | undefined;
  commandTimeoutMs: number;
}

/** The most a caFile may hold (a bundle of every public root is about 220 kB). */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

const MAX_SUBJECT_IN_ERROR = 100;

/** Node's TLS options for the account: extra authorities from its caFile, or its pin. */
export async function resolveTlsOptions(settings: TlsSettings): Promise<ConnectionOptions> {
  if (settings.tls === 'none') return {};
  const extra = settings.caFile ? [await readCaFile(settings.caFile)] : [];
  if (!settings.certificateFingerprint) {
    return extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {};
  }
  const pinned = normalizeFingerprint(settings.certificateFingerprint);
  const certificate = await probeCertificate(
    settings.host,
    settings.port,
    probeMode(settings.tls),
    settings.commandTimeoutMs,
  ).catch((error: unknown) => Promise.reject(classifyError(error)));
  // A mismatch on the probe already ends it, without a login connection at all.
  const mismatch = checkPin(certificate.fingerprint256, pinned);
  if (mismatch) throw new TidingsError('tls', mismatch.message, { cause: mismatch });
  return {
    // The probed PEM makes a self-signed certificate verify; the public roots and the caFile
    // one issued by a CA (Node 20 has no partial chains). The pin decides either way.
    ca: [certificate.pem, ...rootCertificates, ...extra],
    // Replaces the host name check: the pin is the stronger one.
    checkServerIdentity: (_host: string, presented: PeerCertificate) =>
      checkPin(presented.fingerprint256, pinned),
  };
}

/** Adds the presented certificate's fingerprint to a TLS failure, so the user can judge it. */
export async function explainTlsFailure(
  error: TidingsError,
  settings: TlsSettings,
): Promise<TidingsError> {
  if (error.code !== 'tls' || settings.tls === 'none' || settings.certificateFingerprint) {
    return error;
  }
  try {
    const certificate = await probeCertificate(
      settings.host,
      settings.port,
      probeMode(settings.tls),
      settings.commandTimeoutMs,
    );
    // The subject is the server's own text: cut short so the fingerprint always shows.
    const subject = sanitizeServerText(certificate.subject, MAX_SUBJECT_IN_ERROR);
    return new TidingsError(
      'tls',
      `${error.message}; server certificate${subject ? ` "${subject}"` : ''} SHA-256 ${certificate.fingerprint256}`,
      { cause: error },
    );
  } catch {
    return error;
  }
}

/**
 * Reads a caFile: a regular file of at most MAX_CA_FILE_BYTES, else a `config` error naming
 * the file and the problem (/dev/zero would fill memory, a FIFO would block forever).
 */
export async function readCaFile(file: string): Promise<string> {
  const problem = (what: string) => new TidingsError('config', `caFile ${file} ${what}`);
  const unreadable = (error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException;
    return new TidingsError('config', `cannot read caFile ${file} (${code ?? message})`, {
      cause: error,
    });
  };
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(
    (error: unknown) => Promise.reject(unreadable(error)),
  );
  try {
    // fstat of what was opened: the file cannot be swapped between the check and the read.
    const stats = await handle.stat();
    if (!stats.isFile()) throw problem(`is not a regular file (${kindOf(stats)})`);
    if (stats.size > MAX_CA_FILE_BYTES) throw problem(tooLarge(stats.size));
    const buffer = Buffer.alloc(MAX_CA_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      length += bytesRead;
      if (bytesRead === 0 || length === buffer.length) break;
    }
    // It grew after the fstat.
    if (length > MAX_CA_FILE_BYTES) throw problem(tooLarge(length));
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    throw error instanceof TidingsError ? error : unreadable(error);
  } finally {
    await handle.close();
  }
}

/** The pin check: undefined when `fingerprint` is the pinned one, else the error to fail with. */
function checkPin(fingerprint: string | undefined, pinned: string): Error | undefined {
  if (fingerprint && normalizeFingerprint(fingerprint) === pinned) return undefined;
  // An ERR_TLS_ code, so that classifyError files it under `tls` like Node's own.
  return Object.assign(
    new Error(`certificate SHA-256 ${fingerprint ?? '(none)'} does not match the pinned ${pinned}`),
    { code: 'ERR_TLS_CERT_PIN_MISMATCH' },
  );
}

function probeMode(tls: TlsMode): 'implicit' | 'starttls' {
  return tls === 'starttls' ? 'starttls' : 'implicit';
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function tooLarge(bytes: number): string {
  return `is too large (${(bytes / 1024 / 1024).toFixed(1)} MB; at most 1 MB)`;
}
