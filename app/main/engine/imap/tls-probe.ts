/**
 * Reads a server's certificate without trusting it: over implicit TLS, or after STARTTLS.
 * Used to name the certificate (its SHA-256 fingerprint) when verification fails, and to
 * learn a pinned certificate's PEM (the login connection then checks the pin itself).
 */
import net from 'node:net';
import tls, { type PeerCertificate } from 'node:tls';
import { TidingsError } from '../base/index.js';
import { negotiateStartTls } from './starttls.js';

/** The presented certificate and its SHA-256 fingerprint ("AB:CD:…"). */
export interface ServerCertificate {
  fingerprint256: string;
  /** PEM of the leaf certificate, usable as a `ca` to trust exactly this certificate. */
  pem: string;
  subject: string;
}

/** Connects, upgrades to TLS as `mode` says, and returns the certificate, within `timeoutMs`. */
export async function probeCertificate(
  host: string,
  port: number,
  mode: 'implicit' | 'starttls',
  timeoutMs: number,
): Promise<ServerCertificate> {
  const sockets: net.Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    const plain = mode === 'starttls' ? await startTls(host, port, sockets) : undefined;
    const secure = tls.connect({
      host,
      port,
      servername: net.isIP(host) ? undefined : host,
      socket: plain,
      rejectUnauthorized: false,
    });
    sockets.push(secure);
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    return describe(secure.getPeerCertificate());
  })();
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TidingsError('timeout', 'certificate probe timed out')),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    // The TLS socket first: destroying the plain socket under a live TLS wrap crashes Node 20
    // (SIGSEGV, seen here with STARTTLS).
    for (const socket of sockets.reverse()) socket.destroy();
    work.catch(() => {});
  }
}

/** "AB:CD:…" from any spelling of a SHA-256 fingerprint. */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/:/g, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? hex;
}

function describe(certificate: PeerCertificate): ServerCertificate {
  if (!certificate?.raw) throw new TidingsError('tls', 'the server presented no certificate');
  const base64 =
    certificate.raw
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n') ?? '';
  return {
    fingerprint256: certificate.fingerprint256,
    pem: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`,
    subject: certificate.subject?.CN ? String(certificate.subject.CN) : '',
  };
}

// RFC 3501 §6.2.1 (starttls.ts), on a socket of its own.
async function startTls(host: string, port: number, sockets: net.Socket[]): Promise<net.Socket> {
  const socket = net.connect(port, host);
  sockets.push(socket);
  await negotiateStartTls(socket);
  return socket;
}
