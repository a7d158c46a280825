/**
 * Turns an email address into IMAP settings, the way Thunderbird does: the built-in presets,
 * the domain's autoconfig document, RFC 6186 SRV records, its MX matched to a preset, and
 * last a guess confirmed by a real TLS connection. Never plaintext; each step has a deadline.
 */
import dns from 'node:dns/promises';
import { parseAutoconfig, isHostName } from './autoconfig-xml.js';
import { confirmationNeeded } from './domain-trust.js';
import { createImapProbe } from './imap-probe.js';
import { fetchSmallHttpsText } from './limited-fetch.js';
import { presetForDomain, presetForMx, presets, type ProviderPreset } from './presets.js';

/** Settings found for an address, and where they were found. */
export interface ResolvedAccount {
  source: 'preset' | 'autoconfig' | 'srv' | 'mx' | 'guess';
  /** For the user: "Found in Gmail's settings", "From example.com's autoconfig"… */
  sourceLabel: string;
  host: string;
  port: number;
  tls: 'implicit' | 'starttls';
  auth: 'password' | 'app-password' | 'oauth2';
  oauth2Provider?: 'google' | 'microsoft';
  maxConnections?: number;
  openUrl?: string;
  hint?: string;
  presetId?: string;
  /** The login name when it is not simply the address (autoconfig's username template). */
  user?: string;
  /** Added beside the agreed fields: the preset's self-signed certificate (Proton Bridge). */
  certificate?: 'pin-on-first-use';
  /**
   * Set when the server is outside the address's domain and only DNS named it (an SRV
   * record): why it must not be used until the user confirms it is theirs.
   */
  needsConfirmation?: string;
}

/** The outside world the resolver uses; each defaults to the real thing. */
export interface AutoconfigDeps {
  fetch?: typeof fetch;
  resolveSrv?(
    name: string,
  ): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolveMx?(domain: string): Promise<{ exchange: string; priority: number }[]>;
  probe?(host: string, port: number, tls: 'implicit' | 'starttls'): Promise<boolean>;
  /** Per step (one document, one DNS query, one probe); 4000 ms by default. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An autoconfig document larger than this is not a mail configuration. */
const MAX_DOCUMENT_BYTES = 256 * 1024;

type Step = (signal: AbortSignal) => Promise<ResolvedAccount | undefined>;

/** The settings for `email`, or null when none were found (or the address is not one). */
export async function resolveAccount(
  email: string,
  deps: AutoconfigDeps = {},
): Promise<ResolvedAccount | null> {
  const address = parseAddress(email);
  if (!address) return null;
  const timeoutMs = deps.timeoutMs ?? 4_000;
  for (const step of stepsFor(address, deps, timeoutMs)) {
    deps.signal?.throwIfAborted();
    const found = await withinDeadline(step, timeoutMs, deps.signal);
    if (found) return found;
  }
  deps.signal?.throwIfAborted();
  return null;
}

// The order of the issue: preset, the two autoconfig addresses, SRV (RFC 6186 §3.2 prefers
// implicit TLS), MX, and last the two guesses.
function stepsFor(address: Address, deps: AutoconfigDeps, timeoutMs: number): Step[] {
  const { email, domain } = address;
  const fetchFn = deps.fetch ?? fetch;
  const srv = deps.resolveSrv ?? defaultResolveSrv(timeoutMs);
  const mx = deps.resolveMx ?? defaultResolveMx(timeoutMs);
  const probe = deps.probe ?? createImapProbe({ timeoutMs });
  const documents = [
    `https://autoconfig.${domain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`,
    `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml`,
  ];
  const preset = presetForDomain(domain);
  return [
    async () => fromPreset(preset, 'preset', `Found in ${preset?.name ?? domain}'s settings`),
    ...documents.map(
      (url): Step =>
        (signal) =>
          fromAutoconfig(fetchFn, url, address, signal),
    ),
    () => fromSrv(srv, `_imaps._tcp.${domain}`, 'implicit', domain),
    () => fromSrv(srv, `_imap._tcp.${domain}`, 'starttls', domain),
    () => fromMx(mx, domain),
    () => fromGuess(probe, `imap.${domain}`, 993, 'implicit'),
    () => fromGuess(probe, `imap.${domain}`, 143, 'starttls'),
  ];
}

function fromPreset(
  preset: ProviderPreset | undefined,
  source: ResolvedAccount['source'],
  sourceLabel: string,
): ResolvedAccount | undefined {
  // A preset without TLS would be a plaintext login: not offered (none is built in).
  if (!preset || preset.tls === 'none') return undefined;
  return {
    source,
    sourceLabel,
    host: preset.host,
    port: preset.port,
    tls: preset.tls,
    auth: preset.auth,
    ...(preset.oauth2Provider ? { oauth2Provider: preset.oauth2Provider } : {}),
    maxConnections: preset.maxConnections,
    ...(preset.webmailUrl ? { openUrl: preset.webmailUrl } : {}),
    ...(preset.hint ? { hint: preset.hint } : {}),
    presetId: preset.id,
    ...(preset.certificate ? { certificate: preset.certificate } : {}),
  };
}

async function fromAutoconfig(
  fetchFn: typeof fetch,
  url: string,
  address: Address,
  signal: AbortSignal,
): Promise<ResolvedAccount | undefined> {
  const xml = await fetchSmallHttpsText(fetchFn, url, { maxBytes: MAX_DOCUMENT_BYTES, signal });
  const server = xml === undefined ? undefined : parseAutoconfig(xml, address.email)[0];
  if (!server) return undefined;
  return {
    ...preferPresetQuirks(server.host),
    source: 'autoconfig',
    sourceLabel: `From ${address.domain}'s autoconfig`,
    host: server.host,
    port: server.port,
    tls: server.tls,
    ...(server.user ? { user: server.user } : {}),
  };
}

async function fromSrv(
  resolveSrv: NonNullable<AutoconfigDeps['resolveSrv']>,
  name: string,
  tls: 'implicit' | 'starttls',
  domain: string,
): Promise<ResolvedAccount | undefined> {
  const records = await resolveSrv(name).catch(() => []);
  // RFC 2782: lowest priority first, then (one server is offered, not a load spread) the
  // heaviest weight; RFC 6186 §3.4: a target of "." means the service is not offered.
  const best = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
  const host = best?.name.replace(/\.$/, '').toLowerCase();
  if (!best || !host || !isHostName(host) || best.port < 1 || best.port > 65_535) return undefined;
  const needsConfirmation = confirmationNeeded(host, domain);
  return {
    ...preferPresetQuirks(host),
    source: 'srv',
    sourceLabel: `From ${domain}'s DNS (SRV records)`,
    host,
    port: best.port,
    tls,
    ...(needsConfirmation ? { needsConfirmation } : {}),
  };
}

// A custom domain whose autoconfig or SRV names a preset's own server (a domain hosted at
// Gmail, say) keeps that preset's sign-in kind, limit and webmail.
function preferPresetQuirks(
  host: string,
): Omit<ResolvedAccount, 'source' | 'sourceLabel' | 'host' | 'port' | 'tls'> {
  const base = fromPreset(
    presets.find((preset) => preset.host === host),
    'srv',
    '',
  );
  if (!base) return { auth: 'password' };
  const { source: _s, sourceLabel: _l, host: _h, port: _p, tls: _t, ...quirks } = base;
  return quirks;
}

async function fromMx(
  resolveMx: NonNullable<AutoconfigDeps['resolveMx']>,
  domain: string,
): Promise<ResolvedAccount | undefined> {
  const records = await resolveMx(domain).catch(() => []);
  const hosts = [...records].sort((a, b) => a.priority - b.priority).map((r) => r.exchange);
  const preset = presetForMx(hosts);
  if (!preset) return undefined;
  return fromPreset(preset, 'mx', `Found in ${preset.name}'s settings (${domain}'s mail is there)`);
}

async function fromGuess(
  probe: NonNullable<AutoconfigDeps['probe']>,
  host: string,
  port: number,
  tls: 'implicit' | 'starttls',
): Promise<ResolvedAccount | undefined> {
  if (!(await probe(host, port, tls).catch(() => false))) return undefined;
  return {
    source: 'guess',
    sourceLabel: `Guessed: ${host} answered on port ${port}`,
    host,
    port,
    tls,
    auth: 'password',
  };
}

// One step under its own deadline: a step that fails or runs late yields nothing, and is told
// to stop through its signal; the caller's abort ends the whole resolution.
async function withinDeadline(
  step: Step,
  ms: number,
  outer: AbortSignal | undefined,
): Promise<ResolvedAccount | undefined> {
  const controller = new AbortController();
  const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  const aborted = new Promise<undefined>((resolve) =>
    outer?.addEventListener('abort', () => resolve(undefined), {
      once: true,
      signal: controller.signal,
    }),
  );
  const work = step(signal).catch(() => undefined);
  try {
    return await Promise.race([work, expired, aborted]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

interface Address {
  email: string;
  domain: string;
}

// Enough of RFC 5321 to refuse what cannot be an address, before any network use: one local
// part without spaces or controls, and a domain of host-name labels with at least one dot.
function parseAddress(input: string): Address | undefined {
  const email = input.trim();
  const at = email.lastIndexOf('@');
  if (at < 1 || email.length > 254 || /[\s<>]/.test(email) || hasControl(email)) return undefined;
  const domain = email.slice(at + 1).toLowerCase();
  if (!domain.includes('.') || !isHostName(domain) || domain.endsWith('.')) return undefined;
  return { email: `${email.slice(0, at)}@${domain}`, domain };
}

function hasControl(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

function defaultResolveSrv(timeoutMs: number): NonNullable<AutoconfigDeps['resolveSrv']> {
  return (name) => new dns.Resolver({ timeout: timeoutMs, tries: 1 }).resolveSrv(name);
}

function defaultResolveMx(timeoutMs: number): NonNullable<AutoconfigDeps['resolveMx']> {
  return (domain) => new dns.Resolver({ timeout: timeoutMs, tries: 1 }).resolveMx(domain);
}
