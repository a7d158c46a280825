/**
 * Reads a Thunderbird autoconfig document (clientConfig v1.1) with fast-xml-parser: the IMAP
 * `incomingServer` entries over SSL or STARTTLS, with the username template filled in.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One IMAP server from an autoconfig document, placeholders filled in. */
export interface AutoconfigServer {
  host: string;
  port: number;
  tls: 'implicit' | 'starttls';
  user?: string;
  /** Thunderbird's `authentication` values for this server ("password-cleartext", "OAuth2"…). */
  authentication: string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Strings stay strings ("0993" is not a number here), and no entity expansion at all.
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  isArray: (name) => ['emailProvider', 'incomingServer', 'authentication'].includes(name),
});

// socketType "plain" is refused: Tidings never sends a password in the clear.
const tlsBySocketType: Record<string, 'implicit' | 'starttls'> = {
  SSL: 'implicit',
  STARTTLS: 'starttls',
};

/** The document's IMAP servers that use TLS, best first (as the document orders them). */
export function parseAutoconfig(xml: string, email: string): AutoconfigServer[] {
  if (XMLValidator.validate(xml) !== true) return [];
  const document = asRecord(parser.parse(xml) as unknown);
  const providers = asArray(asRecord(document.clientConfig).emailProvider);
  const servers: AutoconfigServer[] = [];
  for (const provider of providers) {
    for (const entry of asArray(asRecord(provider).incomingServer)) {
      const server = readServer(asRecord(entry), email);
      if (server) servers.push(server);
    }
  }
  return servers;
}

function readServer(entry: Record<string, unknown>, email: string): AutoconfigServer | undefined {
  if (entry['@_type'] !== 'imap') return undefined;
  const tls = tlsBySocketType[text(entry.socketType).toUpperCase()];
  const host = fillIn(text(entry.hostname), email).toLowerCase();
  const port = Number(text(entry.port));
  if (!tls || !isHostName(host) || !Number.isInteger(port) || port < 1 || port > 65_535) {
    return undefined;
  }
  const user = fillIn(text(entry.username), email);
  const authentication = asArray(entry.authentication).map(text).filter(Boolean);
  return { host, port, tls, ...(user ? { user } : {}), authentication };
}

// The placeholders of Thunderbird's format; any other %…% is left as written.
function fillIn(template: string, email: string): string {
  const at = email.lastIndexOf('@');
  return template
    .replaceAll('%EMAILADDRESS%', email)
    .replaceAll('%EMAILLOCALPART%', email.slice(0, at))
    .replaceAll('%EMAILDOMAIN%', email.slice(at + 1));
}

/** A DNS host name (or IPv4 address): letters, digits, hyphens, dots; no spaces, no port. */
export function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host
    .replace(/\.$/, '')
    .split('.')
    .every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  // An element with attributes parses as { '#text': … }.
  if (typeof value === 'object' && value !== null && '#text' in value) {
    return text((value as Record<string, unknown>)['#text']);
  }
  return '';
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined ? [] : [value];
}
