/**
 * Checks that a host speaks IMAP over TLS without logging in: implicit TLS or STARTTLS
 * (RFC 3501 §6.2.1), the certificate verified, and an `* OK` greeting read. Used to confirm
 * a guessed server before offering it.
 */
import net from 'node:net';
import tls from 'node:tls';

/** What a probe may be told besides the host: extra trusted CAs, a resolver (tests). */
export interface ImapProbeOptions {
  timeoutMs?: number;
  ca?: string | string[];
  lookup?: net.LookupFunction;
}

/** A server line may be this long before the probe gives up on it. */
const MAX_LINE = 8_192;

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
    if (!(await readLine(plain)).startsWith('* OK')) return false;
    plain.write('a STARTTLS\r\n');
    if (!(await readLine(plain)).startsWith('a OK')) return false;
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
  return mode === 'starttls' || (await readLine(secure)).startsWith('* OK');
}

// One CRLF-terminated line; enough here, since the probe only waits for one answer at a time
// and a server answering STARTTLS sends nothing after its OK until the handshake.
function readLine(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      const end = buffer.indexOf('\r\n');
      if (end >= 0) {
        done();
        resolve(buffer.slice(0, end));
      } else if (buffer.length > MAX_LINE) fail(new Error('line too long'));
    };
    const fail = (error: Error) => {
      done();
      reject(error);
    };
    const onEnd = () => fail(new Error('closed'));
    const done = () => {
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
  });
}

// The TLS socket first: destroying the plain socket under a live TLS wrap crashes Node 20
// (see tls-probe.ts).
function destroyAll(sockets: net.Socket[]): void {
  for (const socket of [...sockets].reverse()) socket.destroy();
}
