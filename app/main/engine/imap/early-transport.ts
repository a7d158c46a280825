/**
 * imapflow's `transport` option over a TCP connection opened before the session was: one of
 * those `tidings watch` opens to each account's server while it is still loading
 * (app/main/cli/commands/early-connections.ts). It connects and upgrades as imapflow does
 * without a transport (imap-flow.js in 2.10.2: `connect()` passes `{ host, port, servername,
 * ...tls }` to `tls.connect` or `net.connect`, and its STARTTLS upgrade the same with the
 * plain `socket`), only on a socket that is already there: TLS, the certificate checks and
 * everything after the greeting are imapflow's own, as on any other connection.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { ImapFlowOptions } from 'imapflow';

/** What an early connection is asked for: one to this server, if one is still open. */
export interface EarlyConnections {
  /**
   * An open (or opening) TCP connection to `host`:`port`, handed over once; else undefined.
   * Paused, with anything the server already said unread (imapflow pipes it, which resumes it).
   */
  take(host: string, port: number): Socket | undefined;
}

type Transport = NonNullable<ImapFlowOptions['transport']>;
type TransportOptions = Parameters<NonNullable<Transport['upgrade']>>[1];

/** A transport whose one connection is `socket`: TLS from the first byte over it, or it bare. */
export function transportOver(socket: Socket): Transport {
  return {
    connect(options, onConnect) {
      if (options.secure) return tls.connect({ ...tlsOptions(options), socket }, onConnect);
      if (socket.connecting) socket.once('connect', onConnect);
      else setImmediate(onConnect);
      return socket;
    },
    upgrade(plain, options, onSecure) {
      return tls.connect({ socket: plain as Socket, ...tlsOptions(options) }, onSecure);
    },
  };
}

function tlsOptions(options: TransportOptions): tls.ConnectionOptions {
  return {
    host: options.host,
    port: options.port,
    ...(options.servername ? { servername: options.servername } : {}),
    ...options.tls,
  };
}
