/**
 * A network namespace of the test's own (`unshare --net`, as root), where a test may add
 * and remove interfaces without touching the machine's. Its only interface at first is its
 * own loopback. Dovecot stays on the host's loopback: a relay in the namespace listens on
 * the namespace's 127.0.0.1 and carries each connection over a Unix socket (a file, which
 * every namespace sees) to it, so a client in the namespace reaches the server on "its"
 * loopback and no byte leaves the machine. Interface changes run inside the namespace's
 * holder process, which first checks that it is not in the test's own namespace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A running namespace with a relay to a host loopback port. */
export interface Netns {
  /** The port on the namespace's 127.0.0.1 that reaches the target. */
  port: number;
  /** Connections the relay has carried so far. */
  readonly accepted: number;
  /** Runs argv inside the namespace: `nsenter` execs it in place (same pid, same signals). */
  launcher: string[];
  /** Runs `ip …args` inside the namespace; rejects with ip's error. */
  ip(...args: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Why this machine cannot make a network namespace with a veth pair, or undefined if it can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces exist on Linux only';
  if (process.getuid?.() !== 0) return 'unshare --net needs root';
  try {
    execFileSync('nsenter', ['--version'], { stdio: 'ignore' });
    // In a throwaway namespace: checks unshare, iproute2 and the veth type in one go.
    execFileSync(
      'unshare',
      ['--net', '--', 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 },
    );
    return undefined;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    return `cannot make a network namespace with a veth pair here: ${stderr || String(error)}`;
  }
}

// The namespace's first process, in plain CommonJS for `node -e`. argv: the test's own
// namespace, the Unix socket to relay to. It prints {port, ns} once ready, then runs one
// `ip` argv per stdin line, answering each with a JSON line; stdin's end ends it.
const HOLDER = String.raw`
const { execFileSync } = require('node:child_process');
const { readlinkSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const readline = require('node:readline');
const [hostNs, socketPath] = process.argv.slice(1);
const ns = readlinkSync('/proc/self/ns/net');
if (ns === hostNs) throw new Error('still in the test process network namespace');
execFileSync('ip', ['link', 'set', 'lo', 'up']);
// No IPv6 on interfaces made from now on: no link-local address, no router solicitation.
writeFileSync('/proc/sys/net/ipv6/conf/default/disable_ipv6', '1');
const open = new Set();
const relay = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  open.add(client).add(upstream);
  const end = () => { client.destroy(); upstream.destroy(); open.delete(client); open.delete(upstream); };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  client.pipe(upstream);
  upstream.pipe(client);
});
relay.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: relay.address().port, ns }));
});
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  try {
    execFileSync('ip', JSON.parse(line), { stdio: ['ignore', 'ignore', 'pipe'] });
    console.log(JSON.stringify({ ok: true }));
  } catch (error) {
    console.log(JSON.stringify({ ok: false, error: String(error.stderr || error).trim() }));
  }
});
// Stdin's end: close the relay and every connection through it, and the process ends.
lines.on('close', () => {
  relay.close();
  for (const socket of open) socket.destroy();
});
`;

/** Makes a namespace whose loopback port relays to `targetPort` on the host's 127.0.0.1. */
export async function startNetns(targetPort: number): Promise<Netns> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-netns-'));
  const socketPath = path.join(dir, 'relay.sock');
  let accepted = 0;
  const open = new Set<net.Socket>();
  const bridge = net.createServer((inbound) => {
    accepted++;
    const server = net.connect(targetPort, '127.0.0.1');
    open.add(inbound);
    const end = () => {
      open.delete(inbound);
      inbound.destroy();
      server.destroy();
    };
    inbound.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
    inbound.pipe(server);
    server.pipe(inbound);
  });
  await new Promise<void>((resolve) => bridge.listen(socketPath, resolve));

  const hostNs = readlinkSync('/proc/self/ns/net');
  const holder = spawn(
    'unshare',
    ['--net', '--', process.execPath, '-e', HOLDER, hostNs, socketPath],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  holder.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const replies: Array<(line: string) => void> = [];
  const lines = createInterface({ input: holder.stdout });
  const ready = new Promise<{ port: number; ns: string }>((resolve, reject) => {
    replies.push((line) => resolve(JSON.parse(line) as { port: number; ns: string }));
    holder.once('exit', (code) =>
      reject(new Error(`namespace holder exited (${code}): ${stderr}`)),
    );
  });
  lines.on('line', (line) => replies.shift()?.(line));
  const { port, ns } = await ready;
  // nsenter by path: check the path still names the holder's namespace, not a reused pid's.
  const nsPath = `/proc/${holder.pid}/ns/net`;
  if (readlinkSync(nsPath) !== ns || ns === hostNs) throw new Error('namespace holder changed');

  let queue = Promise.resolve();
  return {
    port,
    get accepted() {
      return accepted;
    },
    launcher: ['nsenter', `--net=${nsPath}`, '--'],
    ip(...args) {
      const run = queue.then(
        () =>
          new Promise<void>((resolve, reject) => {
            replies.push((line) => {
              const reply = JSON.parse(line) as { ok: boolean; error?: string };
              if (reply.ok) resolve();
              else reject(new Error(`ip ${args.join(' ')}: ${reply.error ?? ''}`));
            });
            holder.stdin.write(`${JSON.stringify(args)}\n`);
          }),
      );
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      if (holder.exitCode === null && holder.signalCode === null) {
        holder.stdin.end();
        await exited;
      }
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => bridge.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
