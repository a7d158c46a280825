/**
 * Checks that a host speaks IMAP over TLS without logging in: implicit TLS or STARTTLS
 * (RFC 3501 §6.2.1), the certificate verified, and an `* OK` greeting read. Used to confirm
 * a guessed server before offering it.
 */
import net from 'node:net';
import tls from 'node:tls';
import { negotiateStartTls, readLines } from '../imap/index.js';

/** What a probe may be told besides the host: extra trusted CAs, a resolver (tests). */
export interface ImapProbeOptions {
  timeoutMs?: number;
  ca?: string | string[];
  lookup?: net.LookupFunction;
}

/** Makes a probe: true once `host:port` greets over verified TLS, false on anything else. */
export function createImapProbe(options: ImapProbeOptions = {}) {
  return async (host: string, port: number, mode: 'implicit' | 'starttls'): Promise<boolean> => {
    const sockets: net.Socket[] = [];
    const timer = setTimeout(() => destroyAll(sockets), options.timeoutMs ?? 4_000);
    timer.unref();
    try {
      return await greets(host, port, mode, options, sockets);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      destroyAll(sockets);
    }
  };
}

async function greets(
  host: string,
  port: number,
  mode: 'implicit' | 'starttls',
  options: ImapProbeOptions,
  sockets: net.Socket[],
): Promise<boolean> {
  let plain: net.Socket | undefined;
  if (mode === 'starttls') {
    plain = net.connect({ host, port, lookup: options.lookup });
    sockets.push(plain);
    // Throws unless the greeting is IMAP's and STARTTLS is granted: false, below.
    await negotiateStartTls(plain);
  }
  const secure = tls.connect({
    host,
    port,
    servername: net.isIP(host) ? undefined : host,
    socket: plain,
    ca: options.ca ? [...tls.rootCertificates, ...[options.ca].flat()] : undefined,
    lookup: options.lookup,
  });
  sockets.push(secure);
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  // After STARTTLS the server sends no second greeting; the handshake is the proof.
  if (mode === 'starttls') return true;
  const lines = readLines(secure);
  try {
    return (await lines.next()).startsWith('* OK');
  } finally {
    lines.stop();
  }
}

// The TLS socket first: destroying the plain socket under a live TLS wrap crashes Node 20
// (see tls-probe.ts).
function destroyAll(sockets: net.Socket[]): void {
  for (const socket of [...sockets].reverse()) socket.destroy();
}
