/**
 * A TCP proxy that sends the first connection to one server and every later one to another:
 * what an attacker on the path (or a DNS answer that changes) can do between a client's
 * certificate probe and its login connection.
 */
import net from 'node:net';

/** A running switching proxy. */
export interface SwitchingProxy {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port: connection 1 → `firstPort`, the rest → `laterPort`. */
export async function startSwitchingProxy(
  firstPort: number,
  laterPort: number,
): Promise<SwitchingProxy> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    const target = net.connect(++accepted === 1 ? firstPort : laterPort, '127.0.0.1');
    track(client);
    track(target);
    client.pipe(target);
    target.pipe(client);
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
