/**
 * The resolver behind headless `"email"` accounts, and its test knob: with
 * `TIDINGS_AUTOCONFIG_HOSTS=example.test=127.0.0.1:9993:implicit[,other.test=…]` an address
 * at a listed domain resolves to that server without any network lookup (other domains are
 * looked up as usual). Tests set it to reach a local Dovecot; users have no reason to.
 */
import { resolveAccount, type ResolvedAccount } from '../../engine/setup/index.js';
import { ConfigError } from './config-error.js';
import type { AccountResolver } from './resolve-emails.js';

const KNOB = 'TIDINGS_AUTOCONFIG_HOSTS';

/** The resolver to use, or a `ConfigError` (exit 2) naming a malformed knob entry. */
export function accountResolverFromEnv(env: NodeJS.ProcessEnv = process.env): AccountResolver {
  const table = parseHosts(env[KNOB] ?? '');
  return async (email, signal) => {
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    return table.get(domain) ?? resolveAccount(email, { signal });
  };
}

function parseHosts(raw: string): Map<string, ResolvedAccount> {
  const table = new Map<string, ResolvedAccount>();
  const problems: string[] = [];
  for (const entry of raw.split(',').filter((e) => e.trim() !== '')) {
    const match = /^\s*([^=\s]+)=([^\s:]+):(\d{1,5}):(implicit|starttls)\s*$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match?.[1] || !match[2] || !(port >= 1 && port <= 65_535)) {
      problems.push(`${KNOB}: expected domain=host:port:implicit|starttls, got "${entry}"`);
      continue;
    }
    const tls = match[4] === 'starttls' ? 'starttls' : 'implicit';
    table.set(match[1].toLowerCase(), {
      source: 'autoconfig',
      sourceLabel: `From ${KNOB}`,
      host: match[2],
      port,
      tls,
      auth: 'password',
    });
  }
  if (problems.length > 0) throw new ConfigError('environment', problems);
  return table;
}
