/**
 * Whether a server greets, and nothing more: connect (with TLS for implicit TLS), read the
 * first line, close. No command, no login, no certificate check: nothing is sent that a
 * stranger could use, and the server's cost is one accept. Watchers ask it while the server
 * refuses or drops connections, to come back the moment it greets again instead of at the
 * end of a long backoff (issue 23).
 */
import net from 'node:net';
import tls from 'node:tls';
import { readLines } from './line-reader.js';

/** Asks whether `host:port` greets; true only for `* OK` or `* PREAUTH` within the deadline. */
export type GreetingProbe = () => Promise<boolean>;

/** Where to knock, and how long to wait for the greeting. */
export interface GreetingProbeOptions {
  host: string;
  port: number;
  /** Implicit TLS greets inside TLS; STARTTLS and plain servers greet in the clear. */
  tls: 'implicit' | 'starttls' | 'none';
  timeoutMs: number;
}

/** The probe of one server. */
export function createGreetingProbe(options: GreetingProbeOptions): GreetingProbe {
  return async () => {
    const { host, port, timeoutMs } = options;
    const socket =
      options.tls === 'implicit'
        ? // Unverified on purpose: nothing is sent, and the login connection verifies as usual.
          tls.connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            rejectUnauthorized: false,
          })
        : net.connect({ host, port });
    socket.on('error', () => {});
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    timer.unref();
    const lines = readLines(socket);
    try {
      return /^\* (OK|PREAUTH)\b/i.test(await lines.next());
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      lines.stop();
      socket.destroy();
    }
  };
}
