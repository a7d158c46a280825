/**
 * The line reader of the probes and check steps (imap/line-reader.ts) keeps what a server sends
 * bounded: a line that never ends, and a server that keeps sending lines faster than they are
 * read, are refused as protocol errors; what came before is still served in order.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LINE, MAX_READ, readLines } from '../../../app/main/engine/imap/line-reader.js';
import { flood } from '../../support/flood.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A socket to a server that does `speak` with its end of the connection. */
async function connectTo(speak: (socket: net.Socket) => void): Promise<net.Socket> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    speak(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  client.on('error', () => {});
  closers.push(() => {
    client.destroy();
    server.close();
  });
  return client;
}

describe('readLines', () => {
  it('serves lines in order, those buffered first', async () => {
    const lines = readLines(await connectTo((s) => s.write('* OK ready\r\na OK done\r\n')));
    expect(await lines.next()).toBe('* OK ready');
    expect(await lines.next()).toBe('a OK done');
  });

  it('refuses a line that never ends once it passes MAX_LINE, even after a line that did', async () => {
    const lines = readLines(
      await connectTo((s) => {
        s.write('* OK ready\r\n');
        void flood(s, 'x', 10 * MAX_LINE);
      }),
    );
    // Read only once it has all come: the line that ended is still in the buffer then.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await lines.next()).toBe('* OK ready');
    await expect(lines.next()).rejects.toMatchObject({
      code: 'protocol',
      message: 'the server sent a response larger than the limit of 8 KiB per line',
    });
  });

  it('refuses a server that keeps talking once it has sent MAX_READ, and keeps no more', async () => {
    const socket = await connectTo((s) => void flood(s, '* OK chatter\r\n', 1024 * 1024 * 1024));
    const lines = readLines(socket);
    let served = 0;
    const refusal = await (async () => {
      for (;;) {
        await lines.next();
        served++;
      }
    })().catch((error: unknown) => error);
    expect(refusal).toMatchObject({
      code: 'protocol',
      message: 'the server sent more than the limit of 64 KiB before its answer',
    });
    expect(served).toBeLessThanOrEqual(MAX_READ / '* OK chatter\r\n'.length);
    socket.destroy();
  });
});
