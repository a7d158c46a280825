/**
 * The DNS, TCP and TLS steps of `tidings check` against small real servers on loopback:
 * a TLS server with a CA-signed certificate for another host, and plain servers that refuse
 * STARTTLS or greet like something other than IMAP.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionSteps } from '../../../app/main/engine/check/connection-steps.js';
import { makeTestCertificates, type TestCertificates } from '../../support/certificates.js';

let certs: TestCertificates;
const cleanups: Array<() => void> = [];

beforeAll(() => {
  certs = makeTestCertificates();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

/** A plain server that sends `greeting`, then answers STARTTLS with `answer`. */
function plainServer(greeting: string, answer: string): Promise<number> {
  const server = net.createServer((socket) => {
    cleanups.push(() => socket.destroy());
    socket.write(`${greeting}\r\n`);
    socket.on('data', (chunk) => {
      if (chunk.toString().startsWith('a STARTTLS')) socket.write(`${answer}\r\n`);
    });
  });
  return listen(server);
}

async function connected(port: number): Promise<ConnectionSteps> {
  const steps = new ConnectionSteps('127.0.0.1', port, 5_000);
  cleanups.push(() => steps.close());
  await steps.connect(await steps.lookup());
  return steps;
}

describe('the TLS step', () => {
  it('names a certificate from a trusted CA that is for another host, with its fingerprint', async () => {
    const server = tls.createServer({
      cert: readFileSync(certs.wrongHost.cert),
      key: readFileSync(certs.wrongHost.key),
    });
    server.on('secureConnection', (socket) => cleanups.push(() => socket.destroy()));
    const steps = await connected(await listen(server));
    const report = await steps.handshake('implicit', { caFile: certs.caFile });
    expect(report).toMatchObject({
      trusted: false,
      trustedBy: 'authorities',
      fingerprint256: certs.wrongHost.fingerprint256,
      subject: 'CN=wrong',
      issuer: 'CN=Tidings Test CA',
    });
    expect(report.problem).toMatch(
      /^certificate is not for 127\.0\.0\.1: .*\(ERR_TLS_CERT_ALTNAME_INVALID\)$/,
    );
  });

  it('fails with the server’s words when it refuses STARTTLS: no plain-text fallback', async () => {
    const steps = await connected(await plainServer('* OK IMAP ready', 'a NO not here'));
    await expect(steps.handshake('starttls', {})).rejects.toMatchObject({
      code: 'tls',
      message: 'server refused STARTTLS: NO not here',
    });
  });

  it('names a server that does not greet like IMAP', async () => {
    const steps = await connected(await plainServer('220 smtp.example ESMTP', ''));
    await expect(steps.handshake('starttls', {})).rejects.toMatchObject({
      code: 'protocol',
      message: 'not an IMAP greeting: 220 smtp.example ESMTP',
    });
  });

  it('names a caFile that cannot be read, before any handshake', async () => {
    const steps = await connected(await plainServer('* OK IMAP ready', 'a OK go'));
    await expect(
      steps.handshake('implicit', { caFile: '/nonexistent/ca.pem' }),
    ).rejects.toMatchObject({
      code: 'config',
      message: 'cannot read caFile /nonexistent/ca.pem (ENOENT)',
    });
  });
});

describe('the DNS step', () => {
  it('takes an IP address as it is, and refuses a .invalid name without asking DNS', async () => {
    await expect(new ConnectionSteps('::1', 993, 1_000).lookup()).resolves.toEqual(['::1']);
    await expect(
      new ConnectionSteps('imap.example.invalid', 993, 1_000).lookup(),
    ).rejects.toMatchObject({
      code: 'network',
      message: 'host name not found (DNS): imap.example.invalid (a reserved name)',
    });
  });
});
