/** The built-in provider table: every preset well formed, and lookups by domain and MX. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { presetForDomain, presetForMx, presets } from '../../../app/main/engine/setup/presets.js';

// The webmails that can open one message by its Message-ID.
const opensByMessageId = ['gmail', 'fastmail'];

describe('presets', () => {
  it.each(presets.map((preset) => [preset.id, preset] as const))(
    '%s has a host, a port, TLS and a sign-in kind that fit together',
    (_id, preset) => {
      expect(net.isIP(preset.host) !== 0 || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(preset.host)).toBe(
        true,
      );
      expect(Number.isInteger(preset.port) && preset.port > 0 && preset.port < 65_536).toBe(true);
      expect(['implicit', 'starttls']).toContain(preset.tls);
      if (preset.tls === 'implicit') expect(preset.port).toBe(993);
      expect(preset.maxConnections).toBeGreaterThan(0);
      expect(preset.auth === 'oauth2').toBe(preset.oauth2Provider !== undefined);
      if (preset.webmailUrl) expect(new URL(preset.webmailUrl).protocol).toBe('https:');
      expect(preset.webmailUrl?.includes('{messageId}') ?? false).toBe(
        opensByMessageId.includes(preset.id),
      );
      if (preset.auth === 'app-password') expect(preset.hint).toMatch(/https:\/\/\S+/);
      for (const domain of preset.domains) expect(domain).toBe(domain.toLowerCase());
      for (const suffix of preset.mxSuffixes) expect(suffix).toMatch(/^\.[a-z0-9.-]+$/);
    },
  );

  it('has unique ids, and no domain or MX suffix claimed by two presets', () => {
    const ids = presets.map((preset) => preset.id);
    const domains = presets.flatMap((preset) => preset.domains);
    const suffixes = presets.flatMap((preset) => preset.mxSuffixes);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(domains).size).toBe(domains.length);
    expect(new Set(suffixes).size).toBe(suffixes.length);
  });

  it('covers the providers users ask for first', () => {
    for (const domain of [
      'gmail.com',
      'outlook.com',
      'icloud.com',
      'yahoo.com',
      'aol.com',
      'fastmail.com',
      'gmx.de',
      'web.de',
      'zoho.com',
      'proton.me',
      'yandex.com',
      'mailbox.org',
      'posteo.de',
    ]) {
      expect(presetForDomain(domain), domain).toBeDefined();
    }
  });

  it('gives Gmail OAuth2 with Google, 15 connections and a webmail that finds a Message-ID', () => {
    expect(presetForDomain('GMail.com.')).toMatchObject({
      host: 'imap.gmail.com',
      port: 993,
      auth: 'oauth2',
      oauth2Provider: 'google',
      maxConnections: 15,
      webmailUrl: 'https://mail.google.com/mail/u/0/#search/rfc822msgid:{messageId}',
    });
  });

  it('sends Proton addresses to the local Bridge over STARTTLS, pinning its certificate', () => {
    expect(presetForDomain('proton.me')).toMatchObject({
      host: '127.0.0.1',
      port: 1143,
      tls: 'starttls',
      certificate: 'pin-on-first-use',
    });
  });

  it('matches MX hosts by suffix, best MX first, and nothing for unknown hosts', () => {
    expect(presetForMx(['ASPMX.L.GOOGLE.COM.'])?.id).toBe('gmail');
    expect(presetForMx(['example-com.mail.protection.outlook.com'])?.id).toBe('outlook');
    expect(presetForMx(['mx.example.net', 'alt1.aspmx.l.google.com'])?.id).toBe('gmail');
    expect(presetForMx(['mx.example.net'])).toBeUndefined();
    // A suffix matches whole labels only.
    expect(presetForMx(['notgoogle.com'])).toBeUndefined();
  });
});
