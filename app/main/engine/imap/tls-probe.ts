/**
 * Reads a server's certificate without trusting it: over implicit TLS, or after STARTTLS.
 * Used to name the certificate (its SHA-256 fingerprint) when verification fails, and to
 * learn a pinned certificate's PEM (the login connection then checks the pin itself).
 */
import net from 'node:net';
import tls, { type PeerCertificate } from 'node:tls';
import { TidingsError } from '../base/index.js';
import { sanitizeServerText } from '../base/index.js';

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

// RFC 3501 §6.2.1: greeting, then "a STARTTLS", then the tagged OK, then the handshake.
async function startTls(host: string, port: number, sockets: net.Socket[]): Promise<net.Socket> {
  const socket = net.connect(port, host);
  sockets.push(socket);
  const lines = lineReader(socket);
  await lines.next();
  socket.write('a STARTTLS\r\n');
  for (;;) {
    const line = await lines.next();
    if (line.startsWith('a OK')) {
      lines.stop();
      return socket;
    }
    if (line.startsWith('a '))
      throw new TidingsError(
        'tls',
        `server refused STARTTLS: ${sanitizeServerText(line.slice(2))}`,
      );
  }
}

/** A server line may be this long before the probe gives up on it (RFC 3501 has no limit). */
const MAX_PROBE_LINE = 8_192;

// CRLF-terminated lines from `socket`, one listener for data and one for errors however many
// lines are read, lines already buffered served first, and a server that never ends a line
// refused once it has sent MAX_PROBE_LINE bytes.
function lineReader(socket: net.Socket): { next(): Promise<string>; stop(): void } {
  let buffer = '';
  let failure: Error | undefined;
  let waiting: { resolve(line: string): void; reject(error: Error): void } | undefined;
  const deliver = () => {
    if (!waiting) return;
    const end = buffer.indexOf('\r\n');
    if (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const { resolve } = waiting;
      waiting = undefined;
      resolve(line);
    } else if (failure) {
      const { reject } = waiting;
      waiting = undefined;
      reject(failure);
    }
  };
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    if (buffer.length > MAX_PROBE_LINE && !buffer.includes('\r\n')) {
      failure = new TidingsError('protocol', 'the server sent a line too long to be IMAP');
    }
    deliver();
  };
  const onError = (error: Error) => {
    failure = error;
    deliver();
  };
  const onEnd = () => onError(new TidingsError('network', 'the server closed the connection'));
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('end', onEnd);
  return {
    next: () =>
      new Promise<string>((resolve, reject) => {
        waiting = { resolve, reject };
        deliver();
      }),
    // Before TLS takes the socket over: the handshake's bytes are not lines for us.
    stop: () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
    },
  };
}
