/**
 * Whether a server that DNS named for an address may be used without asking (RFC 6186 §6):
 * only when it lies in the address's own domain (or that domain's registrable parent, so
 * `imap.example.co.uk` serves `ann@mail.example.co.uk`), or is a known provider's. An SRV
 * answer is not authenticated: a network that forges it, and makes the https autoconfig
 * lookups fail, could otherwise name its own server (with a valid certificate for that
 * name) and receive the password.
 */
import { getDomain } from 'tldts';
import { presets } from './presets.js';

// Private suffixes count (github.io, …): foo.github.io and bar.github.io are not one owner.
const registrable = (host: string): string | null => getDomain(host, { allowPrivateDomains: true });

// The built-in providers' domains (gmail.com, office365.com, …): a custom domain hosted
// there names their servers. Loopback (Proton Bridge's 127.0.0.1) has no domain and is not
// among them.
const providerDomains = new Set(
  presets.map((preset) => registrable(preset.host)).filter((domain) => domain !== null),
);

/**
 * Why `host` needs the user's yes before `domain`'s password goes there, or undefined when
 * it is in that domain or a known provider's. `host` and `domain` are lower-case host names.
 */
export function confirmationNeeded(host: string, domain: string): string | undefined {
  const own = registrable(domain) ?? domain;
  if (host === own || host.endsWith(`.${own}`)) return undefined;
  const hostDomain = registrable(host);
  if (hostDomain !== null && providerDomains.has(hostDomain)) return undefined;
  return `${host} is not in ${own}, and only ${domain}'s DNS named it: a DNS answer can be forged on the network`;
}
