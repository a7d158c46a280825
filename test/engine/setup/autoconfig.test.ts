/**
 * The resolver against local servers only: an HTTPS server on loopback (certificate from the
 * test CA) serving autoconfig documents under made-up names, DNS answers from tables, and
 * guesses confirmed against the test Dovecot's TLS ports. Nothing here reaches the network.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAutoconfig } from '../../../app/main/engine/setup/autoconfig-xml.js';
import { resolveAccount, type AutoconfigDeps } from '../../../app/main/engine/setup/autoconfig.js';
import { createImapProbe } from '../../../app/main/engine/setup/imap-probe.js';
import { makeTestCertificates } from '../../support/certificates.js';
import { signForNames } from '../../support/domain-certificate.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { createLoopbackFetch } from '../../support/loopback-fetch.js';
import { freePort } from '../../support/net.js';

const names = [
  'autoconfig.example.test',
  'wellknown.test',
  'autoconfig.plain.test',
  'autoconfig.big.test',
  'autoconfig.slow.test',
  'autoconfig.redirect.test',
  'autoconfig.broken.test',
  'imap.guess.test',
  'imap.starttls.test',
  'autoconfig.dovecot.test',
];

function config(servers: string): string {
  return `<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="x">
  <domain>x</domain>${servers}
</emailProvider></clientConfig>`;
}

function imap(host: string, port: number, socketType: string, username: string): string {
  return `<incomingServer type="imap"><hostname>${host}</hostname><port>${port}</port>
    <socketType>${socketType}</socketType><username>${username}</username>
    <authentication>password-cleartext</authentication></incomingServer>`;
}

const documents: Record<string, string> = {
  'autoconfig.example.test/mail/config-v1.1.xml': config(
    '<incomingServer type="pop3"><hostname>pop.example.test</hostname><port>995</port>' +
      '<socketType>SSL</socketType></incomingServer>' +
      imap('imap-plain.example.test', 143, 'plain', '%EMAILLOCALPART%') +
      imap('imap.%EMAILDOMAIN%', 993, 'SSL', '%EMAILLOCALPART%'),
  ),
  'wellknown.test/.well-known/autoconfig/mail/config-v1.1.xml': config(
    imap('mail.wellknown.test', 143, 'STARTTLS', '%EMAILADDRESS%'),
  ),
  'autoconfig.plain.test/mail/config-v1.1.xml': config(
    imap('imap.plain.test', 143, 'plain', '%EMAILADDRESS%'),
  ),
  // 300 kB of comment around a valid document: too big to be read at all.
  'autoconfig.big.test/mail/config-v1.1.xml': config(
    `<!-- ${'x'.repeat(300_000)} -->${imap('imap.big.test', 993, 'SSL', '%EMAILADDRESS%')}`,
  ),
  'autoconfig.broken.test/mail/config-v1.1.xml': `<clientConfig><emailProvider>${imap('imap.broken.test', 993, 'SSL', 'x')}`,
};

let dovecot: Dovecot;
let web: https.Server;
let ca: string;
let closedPort: number;
let loopbackFetch: ReturnType<typeof createLoopbackFetch>;

beforeAll(async () => {
  const certs = makeTestCertificates();
  ca = readFileSync(certs.caFile, 'utf8');
  const cert = signForNames(certs, 'autoconfig-hosts', names);
  dovecot = await startDovecot({ ann: 'pw' }, cert);
  closedPort = await freePort();
  web = https.createServer(
    { cert: readFileSync(cert.cert), key: readFileSync(cert.key) },
    (request, response) => {
      const url = new URL(request.url ?? '/', `https://${request.headers.host}`);
      const key = `${url.hostname}${url.pathname}`;
      if (url.hostname === 'autoconfig.slow.test') {
        // Headers and a first chunk at once, then nothing: a document that never finishes.
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.write('<?xml version="1.0"?><clientConfig>');
        return;
      }
      if (url.hostname === 'autoconfig.redirect.test') {
        response.writeHead(302, {
          location: 'http://autoconfig.example.test/mail/config-v1.1.xml',
        });
        response.end();
        return;
      }
      const document =
        url.hostname === 'autoconfig.dovecot.test'
          ? config(imap('127.0.0.1', dovecot.tlsPort, 'SSL', '%EMAILLOCALPART%'))
          : documents[key];
      response.writeHead(document === undefined ? 404 : 200, { 'content-type': 'text/xml' });
      response.end(document ?? 'not found');
    },
  );
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const port = (web.address() as net.AddressInfo).port;
  loopbackFetch = createLoopbackFetch({
    hosts: Object.fromEntries(names.map((name) => [name, port])),
    ca,
  });
});

afterAll(async () => {
  web?.closeAllConnections();
  await new Promise((resolve) => web?.close(resolve));
  await dovecot?.stop();
});

const srvRecords: Record<
  string,
  { name: string; port: number; priority: number; weight: number }[]
> = {
  '_imaps._tcp.srv.test': [
    { name: 'backup.srv.test', port: 993, priority: 20, weight: 0 },
    { name: 'imap.srv.test.', port: 993, priority: 10, weight: 0 },
  ],
  // RFC 6186 §3.4: "." says IMAPS is not offered; STARTTLS on 143 is.
  '_imaps._tcp.srv-starttls.test': [{ name: '.', port: 0, priority: 0, weight: 0 }],
  '_imaps._tcp.hosted.test': [{ name: 'imap.gmail.com', port: 993, priority: 0, weight: 0 }],
  // RFC 6186 §6: a target outside the address's domain (what a forged answer would name).
  '_imaps._tcp.victim.test': [{ name: 'imap.attacker.test', port: 993, priority: 0, weight: 0 }],
  // In the domain's registrable parent: the address is at a subdomain of example.co.uk.
  '_imaps._tcp.mail.example.co.uk': [
    { name: 'imap.example.co.uk', port: 993, priority: 0, weight: 0 },
  ],
  // A private suffix's neighbour is another owner: ann.github.io is not bob.github.io.
  '_imaps._tcp.ann.github.io': [{ name: 'imap.bob.github.io', port: 993, priority: 0, weight: 0 }],
  '_imap._tcp.srv-starttls.test': [
    { name: 'mail.srv-starttls.test', port: 143, priority: 0, weight: 0 },
  ],
};

const mxRecords: Record<string, { exchange: string; priority: number }[]> = {
  'workspace.test': [
    { exchange: 'alt1.aspmx.l.google.com', priority: 5 },
    { exchange: 'aspmx.l.google.com', priority: 1 },
  ],
  'm365.test': [{ exchange: 'm365-test.mail.protection.outlook.com', priority: 0 }],
  'guess.test': [{ exchange: 'mx.guess.test', priority: 10 }],
};

function notFound(name: string): Error {
  return Object.assign(new Error(`queryX ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
}

// Every made-up name that a probe may reach resolves to the loopback; any other does not.
const lookup: net.LookupFunction = (hostname, options, callback) => {
  if (!names.includes(hostname)) {
    callback(notFound(hostname), '', 4);
    return;
  }
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

function deps(extra: Partial<AutoconfigDeps> = {}) {
  const calls = {
    srv: vi.fn((name: string) =>
      Promise.resolve(srvRecords[name] ?? Promise.reject(notFound(name))),
    ),
    mx: vi.fn((domain: string) =>
      Promise.resolve(mxRecords[domain] ?? Promise.reject(notFound(domain))),
    ),
    // Port 993 and 143 of imap.guess.test are the test Dovecot's; imap.starttls.test has no 993.
    probe: vi.fn((host: string, port: number, tls: 'implicit' | 'starttls') => {
      const plainPort = host === 'imap.starttls.test' ? closedPort : dovecot.tlsPort;
      const local = port === 993 ? plainPort : port === 143 ? dovecot.port : closedPort;
      return createImapProbe({ ca, timeoutMs: 3_000, lookup })(host, local, tls);
    }),
  };
  const resolved: AutoconfigDeps = {
    fetch: loopbackFetch,
    resolveSrv: calls.srv,
    resolveMx: calls.mx,
    probe: calls.probe,
    timeoutMs: 2_000,
    ...extra,
  };
  return { deps: resolved, calls };
}

describe('resolveAccount', () => {
  it('finds gmail.com in the presets without asking the network', async () => {
    const { deps: d, calls } = deps();
    const before = loopbackFetch.requested.length;
    await expect(resolveAccount('Ann@GMail.com', d)).resolves.toMatchObject({
      source: 'preset',
      sourceLabel: "Found in Gmail's settings",
      host: 'imap.gmail.com',
      port: 993,
      tls: 'implicit',
      auth: 'oauth2',
      oauth2Provider: 'google',
      maxConnections: 15,
      openUrl: 'https://mail.google.com/mail/u/0/#search/rfc822msgid:{messageId}',
      presetId: 'gmail',
    });
    expect(loopbackFetch.requested.length).toBe(before);
    expect(calls.srv).not.toHaveBeenCalled();
    expect(calls.mx).not.toHaveBeenCalled();
    expect(calls.probe).not.toHaveBeenCalled();
  });

  it('finds outlook.com in the presets, signing in with Microsoft', async () => {
    await expect(resolveAccount('bob@outlook.com', deps().deps)).resolves.toMatchObject({
      source: 'preset',
      host: 'outlook.office365.com',
      port: 993,
      tls: 'implicit',
      auth: 'oauth2',
      oauth2Provider: 'microsoft',
      presetId: 'outlook',
    });
  });

  it('sends a Workspace domain to Gmail by its MX, and a Microsoft 365 one to Outlook', async () => {
    await expect(resolveAccount('ann@workspace.test', deps().deps)).resolves.toMatchObject({
      source: 'mx',
      sourceLabel: expect.stringContaining("Found in Gmail's settings"),
      host: 'imap.gmail.com',
      oauth2Provider: 'google',
      presetId: 'gmail',
    });
    await expect(resolveAccount('ann@m365.test', deps().deps)).resolves.toMatchObject({
      source: 'mx',
      host: 'outlook.office365.com',
      presetId: 'outlook',
    });
  });

  it("reads the domain's autoconfig document, skipping POP3 and plaintext IMAP", async () => {
    const result = await resolveAccount('carol@example.test', deps().deps);
    expect(result).toEqual({
      source: 'autoconfig',
      sourceLabel: "From example.test's autoconfig",
      host: 'imap.example.test',
      port: 993,
      tls: 'implicit',
      auth: 'password',
      user: 'carol',
    });
    expect(loopbackFetch.requested).toContain(
      'https://autoconfig.example.test/mail/config-v1.1.xml?emailaddress=carol%40example.test',
    );
  });

  it('finds settings that log in to the test Dovecot when its autoconfig points there', async () => {
    const found = await resolveAccount('ann@dovecot.test', deps().deps);
    expect(found).toMatchObject({ source: 'autoconfig', tls: 'implicit', user: 'ann' });
    const client = new ImapFlow({
      host: found?.host ?? '',
      port: found?.port ?? 0,
      secure: found?.tls === 'implicit',
      auth: { user: found?.user ?? '', pass: 'pw' },
      tls: { ca },
      logger: false,
    });
    await client.connect();
    expect(client.authenticated).toBeTruthy();
    await client.logout();
  });

  it('falls back to the well-known autoconfig address on the domain itself', async () => {
    await expect(resolveAccount('dave@wellknown.test', deps().deps)).resolves.toMatchObject({
      source: 'autoconfig',
      host: 'mail.wellknown.test',
      port: 143,
      tls: 'starttls',
      user: 'dave@wellknown.test',
    });
  });

  it('uses SRV records: lowest priority first, IMAPS before IMAP with STARTTLS', async () => {
    await expect(resolveAccount('erin@srv.test', deps().deps)).resolves.toMatchObject({
      source: 'srv',
      host: 'imap.srv.test',
      port: 993,
      tls: 'implicit',
      auth: 'password',
    });
    await expect(resolveAccount('erin@srv-starttls.test', deps().deps)).resolves.toMatchObject({
      source: 'srv',
      host: 'mail.srv-starttls.test',
      port: 143,
      tls: 'starttls',
    });
  });

  it("asks before using an SRV target outside the address's domain, and says why", async () => {
    const found = await resolveAccount('ann@victim.test', deps().deps);
    expect(found).toMatchObject({ source: 'srv', host: 'imap.attacker.test', port: 993 });
    expect(found?.needsConfirmation).toBe(
      "imap.attacker.test is not in victim.test, and only victim.test's DNS named it: a DNS answer can be forged on the network",
    );
    const neighbour = await resolveAccount('ann@ann.github.io', deps().deps);
    expect(neighbour?.needsConfirmation).toMatch(
      /^imap\.bob\.github\.io is not in ann\.github\.io/,
    );
  });

  it("uses an SRV target in the domain, its registrable parent or a known provider's without asking", async () => {
    const inDomain = await resolveAccount('erin@srv.test', deps().deps);
    const inParent = await resolveAccount('ann@mail.example.co.uk', deps().deps);
    const atProvider = await resolveAccount('ann@hosted.test', deps().deps);
    expect(inParent?.host).toBe('imap.example.co.uk');
    for (const found of [inDomain, inParent, atProvider]) {
      expect(found?.source).toBe('srv');
      expect(found).not.toHaveProperty('needsConfirmation');
    }
  });

  it("keeps a preset's sign-in kind when a domain's SRV record names that preset's server", async () => {
    await expect(resolveAccount('ann@hosted.test', deps().deps)).resolves.toMatchObject({
      source: 'srv',
      sourceLabel: "From hosted.test's DNS (SRV records)",
      host: 'imap.gmail.com',
      auth: 'oauth2',
      oauth2Provider: 'google',
      maxConnections: 15,
      presetId: 'gmail',
    });
  });

  it('guesses imap.DOMAIN only once a real TLS connection to it greets as IMAP', async () => {
    const { deps: d, calls } = deps();
    await expect(resolveAccount('fay@guess.test', d)).resolves.toEqual({
      source: 'guess',
      sourceLabel: 'Guessed: imap.guess.test answered on port 993',
      host: 'imap.guess.test',
      port: 993,
      tls: 'implicit',
      auth: 'password',
    });
    expect(calls.probe).toHaveBeenCalledTimes(1);
  });

  it('guesses port 143 with STARTTLS when 993 does not answer', async () => {
    await expect(resolveAccount('gil@starttls.test', deps().deps)).resolves.toMatchObject({
      source: 'guess',
      host: 'imap.starttls.test',
      port: 143,
      tls: 'starttls',
    });
  });

  it('refuses a plaintext-only autoconfig, and guesses nothing it cannot confirm', async () => {
    const { deps: d, calls } = deps();
    await expect(resolveAccount('hal@plain.test', d)).resolves.toBeNull();
    // The probe was asked about imap.plain.test, which does not exist: never a plain guess.
    expect(calls.probe.mock.calls.map(([, port, tls]) => [port, tls])).toEqual([
      [993, 'implicit'],
      [143, 'starttls'],
    ]);
  });

  it('gives up on an oversized document and on one that never finishes', async () => {
    await expect(resolveAccount('ida@big.test', deps().deps)).resolves.toBeNull();
    const started = Date.now();
    await expect(resolveAccount('jo@slow.test', deps({ timeoutMs: 300 }).deps)).resolves.toBeNull();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('ignores malformed XML and a redirect to plain HTTP', async () => {
    await expect(resolveAccount('kim@broken.test', deps().deps)).resolves.toBeNull();
    await expect(resolveAccount('lee@redirect.test', deps().deps)).resolves.toBeNull();
    expect(loopbackFetch.requested.filter((url) => url.startsWith('http:'))).toEqual([]);
  });

  it.each(['not-an-address', 'ann@', '@example.test', 'ann@exa mple.test', 'ann@localhost', ''])(
    'returns null for %j without any network use',
    async (input) => {
      const { deps: d, calls } = deps();
      const before = loopbackFetch.requested.length;
      await expect(resolveAccount(input, d)).resolves.toBeNull();
      expect(loopbackFetch.requested.length).toBe(before);
      expect(calls.srv).not.toHaveBeenCalled();
      expect(calls.mx).not.toHaveBeenCalled();
      expect(calls.probe).not.toHaveBeenCalled();
    },
  );

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const run = resolveAccount('jo@slow.test', deps({ signal: controller.signal }).deps);
    setTimeout(() => controller.abort(new Error('closed the form')), 100);
    await expect(run).rejects.toThrow('closed the form');
  });
});

describe('the default IMAP probe', () => {
  it('does not confirm a server whose certificate it cannot verify', async () => {
    const trusting = createImapProbe({ ca, timeoutMs: 3_000, lookup });
    const untrusting = createImapProbe({ timeoutMs: 3_000, lookup });
    await expect(trusting('imap.guess.test', dovecot.tlsPort, 'implicit')).resolves.toBe(true);
    await expect(untrusting('imap.guess.test', dovecot.tlsPort, 'implicit')).resolves.toBe(false);
    await expect(untrusting('imap.guess.test', dovecot.port, 'starttls')).resolves.toBe(false);
  });
});

describe('parseAutoconfig', () => {
  it('expands no entities declared in the document', () => {
    const doc = `<?xml version="1.0"?><!DOCTYPE clientConfig [<!ENTITY h "evil.test">]>${config(
      imap('&h;', 993, 'SSL', '%EMAILADDRESS%'),
    ).replace(/^<\?xml[^>]*>/, '')}`;
    expect(parseAutoconfig(doc, 'a@b.test')).toEqual([]);
  });

  it('skips servers with an impossible port, and reads socket types in any case', () => {
    const doc = config(
      imap('imap.b.test', 99_999, 'SSL', 'x') +
        imap('imap.b.test', 993, 'ssl', '%EMAILADDRESS%') +
        imap('imap .b.test', 993, 'SSL', 'x'),
    );
    expect(parseAutoconfig(doc, 'a@b.test')).toEqual([
      {
        host: 'imap.b.test',
        port: 993,
        tls: 'implicit',
        user: 'a@b.test',
        authentication: ['password-cleartext'],
      },
    ]);
  });
});
