/**
 * RFC 3501 §6.2.1, before imapflow: the greeting (which must be `* OK`), then `a STARTTLS`,
 * then the tagged answer. Nothing of the server's is read after its OK: the handshake's
 * bytes follow. The one sequence the check steps, the certificate probe and the setup probe
 * share.
 */
import type net from 'node:net';
import { sanitizeServerText, TidingsError } from '../base/index.js';
import { readLines } from './line-reader.js';

/** Asks `socket`'s server for STARTTLS; resolves once it said OK, ready for the handshake. */
export async function negotiateStartTls(socket: net.Socket): Promise<void> {
  const lines = readLines(socket);
  try {
    const greeting = await lines.next();
    if (!greeting.startsWith('* OK')) {
      throw new TidingsError('protocol', `not an IMAP greeting: ${sanitizeServerText(greeting)}`);
    }
    socket.write('a STARTTLS\r\n');
    for (;;) {
      const line = await lines.next();
      if (line.startsWith('a OK')) return;
      if (line.startsWith('a ')) {
        const reason = sanitizeServerText(line.slice(2));
        throw new TidingsError('tls', `server refused STARTTLS: ${reason}`);
      }
    }
  } finally {
    lines.stop();
  }
}
