/**
 * Built-in IMAP settings for the big providers, looked up by an address's domain or by the
 * domain's MX hosts (a Google Workspace domain's MX is at Google). Pure data: no network.
 */

/** One provider's IMAP settings and quirks. */
export interface ProviderPreset {
  id: string;
  name: string;
  /** Address domains that belong to this provider (lower case). */
  domains: string[];
  /** MX host suffixes ("`.google.com`") that mean a custom domain is hosted here. */
  mxSuffixes: string[];
  host: string;
  port: number;
  tls: 'implicit' | 'starttls' | 'none';
  auth: 'password' | 'app-password' | 'oauth2';
  oauth2Provider?: 'google' | 'microsoft';
  /** Simultaneous IMAP connections the provider allows one account. */
  maxConnections: number;
  /** Webmail address; `{messageId}` is the message's Message-ID, URL-encoded (see `clickUrl`). */
  webmailUrl?: string;
  /** One line for the user, with a help link where an app password is needed. */
  hint?: string;
  /** The server's certificate is self-signed: pin it on first use, showing its fingerprint. */
  certificate?: 'pin-on-first-use';
}

// Where a provider publishes no connection limit, 5 is a guess chosen to stay well below
// what such servers refuse; it only limits how many mailboxes are watched at once.
const UNPUBLISHED_LIMIT = 5;

/** The built-in providers, in the order a preset picker shows them. */
export const presets: readonly ProviderPreset[] = [
  {
    id: 'gmail',
    name: 'Gmail',
    domains: ['gmail.com', 'googlemail.com'],
    // Workspace MX: aspmx.l.google.com and friends, or smtp.google.com since 2023.
    mxSuffixes: ['.google.com', '.googlemail.com'],
    host: 'imap.gmail.com',
    port: 993,
    tls: 'implicit',
    auth: 'oauth2',
    oauth2Provider: 'google',
    // Gmail's documented limit: 15 simultaneous IMAP connections per account.
    maxConnections: 15,
    webmailUrl: 'https://mail.google.com/mail/u/0/#search/rfc822msgid:{messageId}',
    hint: 'Also for Google Workspace; sign in with Google in your browser.',
  },
  {
    id: 'outlook',
    name: 'Outlook',
    domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'hotmail.co.uk', 'outlook.de'],
    mxSuffixes: ['.mail.protection.outlook.com'],
    host: 'outlook.office365.com',
    port: 993,
    tls: 'implicit',
    auth: 'oauth2',
    oauth2Provider: 'microsoft',
    // Exchange Online's per-mailbox IMAP limit is not clearly documented; 10 is conservative.
    maxConnections: 10,
    // Personal accounts are sent on to outlook.live.com from here.
    webmailUrl: 'https://outlook.office.com/mail/',
    hint: 'Outlook.com and Microsoft 365; sign in with Microsoft in your browser.',
  },
  {
    id: 'icloud',
    name: 'iCloud Mail',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    mxSuffixes: ['.mail.icloud.com'],
    host: 'imap.mail.me.com',
    port: 993,
    tls: 'implicit',
    auth: 'app-password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://www.icloud.com/mail/',
    hint: 'iCloud needs an app-specific password: https://support.apple.com/en-us/102654',
  },
  {
    id: 'yahoo',
    name: 'Yahoo Mail',
    domains: ['yahoo.com', 'ymail.com', 'rocketmail.com', 'yahoo.co.uk', 'yahoo.de', 'yahoo.fr'],
    mxSuffixes: ['.yahoodns.net'],
    host: 'imap.mail.yahoo.com',
    port: 993,
    tls: 'implicit',
    auth: 'app-password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://mail.yahoo.com/',
    hint: 'Yahoo needs an app password: https://help.yahoo.com/kb/SLN15241.html',
  },
  {
    id: 'aol',
    name: 'AOL Mail',
    // AOL's MX is also under yahoodns.net; its custom domains are rare, so no MX suffix here.
    domains: ['aol.com', 'aim.com'],
    mxSuffixes: [],
    host: 'imap.aol.com',
    port: 993,
    tls: 'implicit',
    auth: 'app-password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://mail.aol.com/',
    hint: 'AOL needs an app password: https://help.aol.com/articles/Create-and-manage-app-password',
  },
  {
    id: 'fastmail',
    name: 'Fastmail',
    domains: ['fastmail.com', 'fastmail.fm', 'fastmail.net', 'fastmail.org', 'messagingengine.com'],
    mxSuffixes: ['.messagingengine.com'],
    host: 'imap.fastmail.com',
    port: 993,
    tls: 'implicit',
    auth: 'app-password',
    // Fastmail publishes no per-account limit; 10 is conservative.
    maxConnections: 10,
    webmailUrl: 'https://app.fastmail.com/mail/search:msgid:{messageId}',
    hint: 'Fastmail needs an app password: https://www.fastmail.help/hc/en-us/articles/360058752854',
  },
  {
    id: 'gmx',
    name: 'GMX',
    domains: ['gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch'],
    mxSuffixes: ['.gmx.net'],
    host: 'imap.gmx.net',
    port: 993,
    tls: 'implicit',
    auth: 'password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://www.gmx.net/',
    hint: 'Turn on "POP3/IMAP access" in GMX\'s settings first.',
  },
  {
    id: 'gmx-com',
    name: 'GMX (international)',
    domains: ['gmx.com', 'gmx.us', 'gmx.co.uk', 'gmx.fr'],
    mxSuffixes: ['.gmx.com'],
    host: 'imap.gmx.com',
    port: 993,
    tls: 'implicit',
    auth: 'password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://www.gmx.com/',
    hint: 'Turn on "POP3/IMAP access" in GMX\'s settings first.',
  },
  {
    id: 'webde',
    name: 'WEB.DE',
    domains: ['web.de'],
    mxSuffixes: ['.web.de'],
    host: 'imap.web.de',
    port: 993,
    tls: 'implicit',
    auth: 'password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://web.de/',
    hint: 'Turn on "POP3/IMAP access" in WEB.DE\'s settings first.',
  },
  {
    id: 'zoho',
    name: 'Zoho Mail',
    domains: ['zoho.com', 'zohomail.com'],
    mxSuffixes: [],
    host: 'imap.zoho.com',
    port: 993,
    tls: 'implicit',
    auth: 'password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://mail.zoho.com/',
    hint: "Turn on IMAP access in Zoho Mail's settings; with two-factor sign-in use an app password.",
  },
  {
    // Zoho serves organizations (custom domains) from imappro, not imap.zoho.com.
    id: 'zoho-org',
    name: 'Zoho Mail (organization)',
    domains: [],
    mxSuffixes: ['.zoho.com'],
    host: 'imappro.zoho.com',
    port: 993,
    tls: 'implicit',
    auth: 'password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://mail.zoho.com/',
    hint: "Turn on IMAP access in Zoho Mail's settings; with two-factor sign-in use an app password.",
  },
  {
    id: 'proton-bridge',
    name: 'Proton Mail Bridge',
    domains: ['proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me'],
    mxSuffixes: ['.protonmail.ch'],
    host: '127.0.0.1',
    port: 1143,
    tls: 'starttls',
    auth: 'password',
    // The Bridge runs on this computer; its own limit is unpublished.
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://mail.proton.me/',
    hint: 'Needs Proton Mail Bridge running; use the password the Bridge shows, not your Proton one.',
    certificate: 'pin-on-first-use',
  },
  {
    id: 'yandex',
    name: 'Yandex Mail',
    domains: ['yandex.com', 'yandex.ru', 'ya.ru', 'yandex.by', 'yandex.kz'],
    mxSuffixes: ['.yandex.net', '.yandex.ru'],
    host: 'imap.yandex.com',
    port: 993,
    tls: 'implicit',
    auth: 'app-password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://mail.yandex.com/',
    hint: 'Yandex needs an app password: https://yandex.com/support/id/en/authorization/app-passwords',
  },
  {
    id: 'mailbox-org',
    name: 'mailbox.org',
    domains: ['mailbox.org'],
    mxSuffixes: ['.mailbox.org'],
    host: 'imap.mailbox.org',
    port: 993,
    tls: 'implicit',
    auth: 'password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://login.mailbox.org/',
  },
  {
    id: 'posteo',
    name: 'Posteo',
    // Posteo has no custom domains, so no MX suffix.
    domains: ['posteo.de', 'posteo.net', 'posteo.org', 'posteo.eu', 'posteo.at', 'posteo.ch'],
    mxSuffixes: [],
    host: 'posteo.de',
    port: 993,
    tls: 'implicit',
    auth: 'password',
    maxConnections: UNPUBLISHED_LIMIT,
    webmailUrl: 'https://posteo.de/en/login',
  },
];

/** The preset whose provider owns `domain` (any case, trailing dot allowed). */
export function presetForDomain(domain: string): ProviderPreset | undefined {
  const wanted = normalizeHost(domain);
  return presets.find((preset) => preset.domains.includes(wanted));
}

/** The preset whose MX suffix matches the first of `hosts` (best MX first) that matches any. */
export function presetForMx(hosts: readonly string[]): ProviderPreset | undefined {
  for (const host of hosts.map(normalizeHost)) {
    const found = presets.find((preset) =>
      preset.mxSuffixes.some((suffix) => host.endsWith(suffix) || host === suffix.slice(1)),
    );
    if (found) return found;
  }
  return undefined;
}

function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}
