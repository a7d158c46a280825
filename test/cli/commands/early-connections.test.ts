/**
 * `tidings watch` connects to its accounts' servers before it loads the engine
 * (early-connections.ts): which servers a config file names, read without failing on
 * anything, and the pool of real loopback connections each session takes from once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dns from 'node:dns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  EarlyConnectionPool,
  earlyTargetsOf,
  MAX_EARLY_CONNECTIONS,
} from '../../../app/main/cli/commands/early-connections.js';
import { freePort } from '../../support/net.js';
import { waitUntil } from '../../support/manual-watcher.js';

function configFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-early-')), 'config.json');
  writeFileSync(file, text);
  return file;
}

/** A loopback server that greets each connection and notes what it sees. */
interface Greeter {
  port: number;
  accepted: number;
  /** Connections closed (the tests' servers close none themselves). */
  closedByClient: number;
  /** Bytes the client sent, in all. */
  received: number;
  close(): Promise<void>;
}

const servers: net.Server[] = [];
const pools: EarlyConnectionPool[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const pool of pools.splice(0)) pool.close();
  await Promise.all(
    servers
      .splice(0)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
});

async function startGreeter(): Promise<Greeter> {
  const sockets = new Set<net.Socket>();
  const greeter: Greeter = {
    port: 0,
    accepted: 0,
    closedByClient: 0,
    received: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
    },
  };
  const server = net.createServer((socket) => {
    greeter.accepted++;
    sockets.add(socket);
    socket.on('data', (chunk) => (greeter.received += chunk.length));
    // 'close', not 'end': a client closing with the greeting unread resets the connection.
    socket.on('close', () => greeter.closedByClient++);
    socket.on('error', () => {});
    socket.write('* OK ready\r\n');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  greeter.port = (server.address() as net.AddressInfo).port;
  return greeter;
}

function pool(...args: ConstructorParameters<typeof EarlyConnectionPool>): EarlyConnectionPool {
  const made = new EarlyConnectionPool(...args);
  pools.push(made);
  return made;
}

/** The first chunk a reader gets: a taken connection is paused until it is read (pipe resumes it). */
function firstData(socket: net.Socket): Promise<string> {
  const data = new Promise<string>((resolve) =>
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString())),
  );
  socket.resume();
  return data;
}

describe('the servers a config file names', () => {
  it('are each account with a host, on its port or the one of its TLS mode', () => {
    const file = configFile(
      JSON.stringify({
        accounts: [
          { id: 'a', host: 'imap.example.com', user: 'u', password: 'p' },
          { id: 'b', host: 'mail.example.org', tls: 'starttls', user: 'u', password: 'p' },
          { id: 'c', host: '127.0.0.1', port: 1143, tls: 'none', user: 'u', password: 'p' },
          { id: 'd', host: '::1', port: 9993, user: 'u', password: 'p' },
        ],
      }),
    );
    expect(earlyTargetsOf(file)).toEqual([
      { host: 'imap.example.com', port: 993 },
      { host: 'mail.example.org', port: 143 },
      { host: '127.0.0.1', port: 1143 },
      { host: '::1', port: 9993 },
    ]);
  });

  it('leave out what the loader will refuse or look up, and never throw', () => {
    const file = configFile(
      JSON.stringify({
        accounts: [
          { id: 'email-only', email: 'ann@example.com', password: 'p' },
          { id: 'reserved', host: 'imap.example.invalid' },
          { id: 'not-a-host', host: 'imap example.com' },
          { id: 'with-port', host: 'imap.example.com:993' },
          { id: 'long', host: `${'a'.repeat(250)}.example.com` },
          { id: 'port-text', host: 'imap.example.com', port: '993' },
          { id: 'port-zero', host: 'imap.example.com', port: 0 },
          { id: 'port-big', host: 'imap.example.com', port: 70_000 },
          { id: 'port-half', host: 'imap.example.com', port: 99.5 },
          { id: 'tls-odd', host: 'imap.example.com', tls: 'ssl' },
          null,
          'account',
          { id: 'kept', host: 'imap.example.net' },
        ],
      }),
    );
    expect(earlyTargetsOf(file)).toEqual([{ host: 'imap.example.net', port: 993 }]);
    for (const text of ['', 'not json', '{"accounts": 3}', 'null', '[]', '{"accounts": {}}']) {
      expect(earlyTargetsOf(configFile(text))).toEqual([]);
    }
    expect(earlyTargetsOf(path.join(tmpdir(), 'tidings-no-such-dir', 'config.json'))).toEqual([]);
  });

  it(`are at most ${MAX_EARLY_CONNECTIONS}, whatever the file lists`, () => {
    const accounts = Array.from({ length: 500 }, (_, i) => ({ id: `a${i}`, host: `h${i}.test` }));
    const targets = earlyTargetsOf(configFile(JSON.stringify({ accounts })));
    expect(targets).toHaveLength(MAX_EARLY_CONNECTIONS);
    expect(targets[0]).toEqual({ host: 'h0.test', port: 993 });
  });
});

describe('the early connection pool', () => {
  it('hands each connection over once, connected to its server, with the greeting still unread', async () => {
    const greeter = await startGreeter();
    const early = pool([
      { host: '127.0.0.1', port: greeter.port },
      { host: '127.0.0.1', port: greeter.port },
    ]);
    await waitUntil(() => greeter.accepted === 2, 5_000);
    expect(early.take('127.0.0.1', greeter.port + 1)).toBeUndefined();
    expect(early.take('localhost', greeter.port)).toBeUndefined();
    const first = early.take('127.0.0.1', greeter.port);
    const second = early.take('127.0.0.1', greeter.port);
    expect(first).toBeInstanceOf(net.Socket);
    expect(second).toBeInstanceOf(net.Socket);
    expect(first).not.toBe(second);
    expect(early.take('127.0.0.1', greeter.port)).toBeUndefined();
    expect(early.size).toBe(0);
    // Nothing was sent on them, and what the server said waits for whoever reads.
    expect(greeter.received).toBe(0);
    expect(first?.isPaused()).toBe(true);
    await expect(firstData(first as net.Socket)).resolves.toBe('* OK ready\r\n');
    // A taken connection is the taker's: closing the pool leaves it open.
    early.close();
    expect(first?.destroyed).toBe(false);
    first?.destroy();
    second?.destroy();
  });

  it("hands over a connection still opening; its outcome is the taker's to see", async () => {
    const greeter = await startGreeter();
    const early = pool([{ host: '127.0.0.1', port: greeter.port }]);
    // Taken at once: Node has not even started connecting yet.
    const socket = early.take('127.0.0.1', greeter.port) as net.Socket;
    expect(socket.connecting).toBe(true);
    await expect(firstData(socket)).resolves.toBe('* OK ready\r\n');
    socket.destroy();
  });

  it('drops a connection the server refused or closed, without an error escaping', async () => {
    const closedPort = await freePort();
    const greeter = await startGreeter();
    const early = pool([
      { host: '127.0.0.1', port: closedPort },
      { host: '127.0.0.1', port: greeter.port },
    ]);
    await waitUntil(() => greeter.accepted === 1 && early.size === 1, 5_000);
    expect(early.take('127.0.0.1', closedPort)).toBeUndefined();
    await greeter.close();
    await waitUntil(() => early.size === 0, 5_000);
    expect(early.take('127.0.0.1', greeter.port)).toBeUndefined();
  });

  it('drops a connection whose server says more than a greeting before it is taken', async () => {
    const chatty = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.write(`* OK ${'x'.repeat(100 * 1024)}\r\n`);
    });
    servers.push(chatty);
    await new Promise<void>((resolve) => chatty.listen(0, '127.0.0.1', resolve));
    const { port } = chatty.address() as net.AddressInfo;
    const early = pool([{ host: '127.0.0.1', port }]);
    await waitUntil(() => early.size === 0, 5_000);
    expect(early.take('127.0.0.1', port)).toBeUndefined();
  });

  it('is underway once its host names are looked up, waiting for a slow lookup only so long', async () => {
    const greeter = await startGreeter();
    const looked: string[] = [];
    // A resolver that answers mail.example.test after 50 ms and slow.example.test after 2 s.
    vi.spyOn(dns, 'lookup').mockImplementation(((
      host: string,
      options: { all?: boolean },
      callback: (error: Error | null, ...answer: unknown[]) => void,
    ) => {
      setTimeout(
        () => {
          looked.push(host);
          if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
          else callback(null, '127.0.0.1', 4);
        },
        host === 'slow.example.test' ? 2_000 : 50,
      );
    }) as unknown as typeof dns.lookup);
    const quick = pool([
      { host: 'mail.example.test', port: greeter.port },
      { host: '127.0.0.1', port: greeter.port },
    ]);
    await quick.underway(1_000);
    expect(looked).toEqual(['mail.example.test']);
    await waitUntil(() => greeter.accepted === 2, 5_000);

    const slow = pool([{ host: 'slow.example.test', port: greeter.port }]);
    const started = Date.now();
    await slow.underway(100);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(looked).toEqual(['mail.example.test']);
    const socket = slow.take('slow.example.test', greeter.port);
    expect(socket?.connecting).toBe(true);
    socket?.destroy();
  });

  it('closes what was not taken, when told and when its time is up, having sent nothing', async () => {
    const greeter = await startGreeter();
    const told = pool([{ host: '127.0.0.1', port: greeter.port }]);
    await waitUntil(() => greeter.accepted === 1, 5_000);
    told.close();
    await waitUntil(() => greeter.closedByClient === 1, 5_000);
    expect(told.take('127.0.0.1', greeter.port)).toBeUndefined();

    const timed = pool([{ host: '127.0.0.1', port: greeter.port }], 200);
    await waitUntil(() => greeter.accepted === 2, 5_000);
    await waitUntil(() => greeter.closedByClient === 2, 5_000);
    expect(timed.size).toBe(0);
    expect(greeter.received).toBe(0);
  });
});
