/** The certificate probe's STARTTLS dialogue against small scripted servers. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeCertificate } from '../../../app/main/engine/imap/tls-probe.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('probeCertificate over STARTTLS', () => {
  it('refuses a server that never ends a line, at once rather than at the deadline', async () => {
    const port = await serve((socket) => socket.write('*'.repeat(20_000)));
    const started = Date.now();
    await expect(probeCertificate('127.0.0.1', port, 'starttls', 10_000)).rejects.toThrow(
      /a response larger than the limit of 8 KiB per line/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reads lines that arrive in one packet, instead of waiting for more that never comes', async () => {
    // Greeting and the refusal in one write: the second line is already buffered.
    const port = await serve((socket) => {
      socket.once('data', () => socket.write('a NO \u001b[31mnot today\r\n'));
      socket.write('* OK ready\r\n');
    });
    const packed = await serve((socket) =>
      socket.write('* OK ready\r\n* BYE going\r\na NO not today\r\n'),
    );
    await expect(probeCertificate('127.0.0.1', port, 'starttls', 10_000)).rejects.toThrow(
      'server refused STARTTLS: NO not today',
    );
    await expect(probeCertificate('127.0.0.1', packed, 'starttls', 3_000)).rejects.toThrow(
      'server refused STARTTLS: NO not today',
    );
  });

  it('says the server closed the connection when it hangs up mid-dialogue', async () => {
    const port = await serve((socket) => socket.end('* OK ready\r\n'));
    await expect(probeCertificate('127.0.0.1', port, 'starttls', 10_000)).rejects.toThrow(
      /closed the connection/,
    );
  });
});
