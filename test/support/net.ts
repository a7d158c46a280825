/** Loopback helpers for tests: free ports and waiting for a server's greeting. */
import net from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once a connection to host:port receives its first bytes (an IMAP greeting). */
export async function waitForGreeting(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(port, host);
        socket.setTimeout(1_000, () => socket.destroy(new Error('no greeting')));
        socket.once('data', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`no greeting from ${host}:${port}: ${String(lastError)}`);
}

/**
 * Writes a server's config on a free port and launches it, again on a new port when the
 * launch fails: a port can be taken between `freePort` and the server's bind (suites run in
 * parallel). `retry` says which failures are worth another port; the last one is thrown.
 */
export async function launchOnFreePort(
  configure: () => Promise<void>,
  launch: () => Promise<void>,
  { attempts, retry = () => true }: { attempts: number; retry?: (error: unknown) => boolean },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await configure();
    try {
      await launch();
      return;
    } catch (error) {
      if (attempt >= attempts || !retry(error)) throw error;
    }
  }
}
