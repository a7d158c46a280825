/**
 * What the account lookup answers for the addresses the tests use, in one place: the
 * settings window's fake bridge and the CLI's injected resolver answer with these, and
 * test/electron/autoconfig-handlers.test.ts checks them against the real resolver (presets
 * and an autoconfig document, its network injected), so no fake drifts from the truth.
 */
import type { AutoconfigView } from '../../app/common/ipc-contract.js';

/** The real resolver's answer, by the address's domain. */
export const resolvedAnswers = {
  'gmail.com': {
    source: 'preset',
    sourceLabel: "Found in Gmail's settings",
    host: 'imap.gmail.com',
    port: 993,
    tls: 'implicit',
    auth: 'oauth2',
    oauth2Provider: 'google',
    maxConnections: 15,
    openUrl: 'https://mail.google.com/mail/u/0/#search/rfc822msgid:{messageId}',
    hint: 'Also for Google Workspace; sign in with Google in your browser.',
    presetId: 'gmail',
  },
  'outlook.com': {
    source: 'preset',
    sourceLabel: "Found in Outlook's settings",
    host: 'outlook.office365.com',
    port: 993,
    tls: 'implicit',
    auth: 'oauth2',
    oauth2Provider: 'microsoft',
    maxConnections: 10,
    openUrl: 'https://outlook.office.com/mail/',
    hint: 'Outlook.com and Microsoft 365; sign in with Microsoft in your browser.',
    presetId: 'outlook',
  },
  'icloud.com': {
    source: 'preset',
    sourceLabel: "Found in iCloud Mail's settings",
    host: 'imap.mail.me.com',
    port: 993,
    tls: 'implicit',
    auth: 'app-password',
    maxConnections: 5,
    openUrl: 'https://www.icloud.com/mail/',
    hint: 'iCloud needs an app-specific password: https://support.apple.com/en-us/102654',
    presetId: 'icloud',
  },
  // What main reads from https://autoconfig.autoconfig.example.test/mail/config-v1.1.xml.
  'autoconfig.example.test': {
    source: 'autoconfig',
    sourceLabel: "From autoconfig.example.test's autoconfig",
    host: 'mail.autoconfig.example.test',
    port: 143,
    tls: 'starttls',
    auth: 'password',
    user: 'carol',
  },
  // What main makes of an SRV record (_imaps._tcp.dns.example.test) naming a server elsewhere.
  'dns.example.test': {
    source: 'srv',
    sourceLabel: "From dns.example.test's DNS (SRV records)",
    host: 'imap.elsewhere.test',
    port: 993,
    tls: 'implicit',
    auth: 'password',
    needsConfirmation:
      "imap.elsewhere.test is not in example.test, and only dns.example.test's DNS named it: a DNS answer can be forged on the network",
  },
} satisfies Record<string, AutoconfigView>;
