/** The account form's words and names: failure titles, new account ids, canonical hosts. */
import type { AccountView } from '../common/ipc-contract.js';

/** The browser's own IDNA: an http URL's parser gives the ASCII, lower-case form of a host. */
export function canonicalHost(host: string): string {
  try {
    return new URL(`http://${host}`).hostname.replace(/\.$/, '');
  } catch {
    return host.toLowerCase();
  }
}

const failureTitle: Record<string, string> = {
  network: 'Cannot reach the server',
  timeout: 'The server did not answer',
  tls: 'Certificate problem',
  auth: 'Login rejected',
  protocol: 'The server answered strangely',
  config: 'Settings problem',
  busy: 'Not tested',
  cancelled: 'Not tested',
};

/**
 * "Login rejected: Authentication failed." from the engine's "login rejected: Authentication
 * failed.": the title leads, and is not said twice when the engine's message starts with it.
 */
export function describeFailure(code: string, message: string): string {
  const title = failureTitle[code] ?? 'Failed';
  const prefix = `${title.toLowerCase()}: `;
  const rest = message.toLowerCase().startsWith(prefix) ? message.slice(prefix.length) : message;
  return `${title}: ${rest}`;
}

/** An id for a new account from its name: "Work Mail" → "work-mail", unique among `accounts`. */
export function newId(from: string, accounts: AccountView[]): string {
  const base =
    from
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+|-+$/g, '')
      .slice(0, 56) || 'account';
  const taken = new Set(accounts.map((a) => a.id));
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
