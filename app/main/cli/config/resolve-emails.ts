/**
 * Headless accounts given by address alone: before validation, each account with an `email`
 * and no `host` is looked up (all at once, each under a deadline) and its server, TLS, login
 * name and sign-in kind filled in. What the user wrote wins over anything found.
 */
import { accountFieldsSchema } from '../../../common/settings-schema.js';
import type { ResolvedAccount } from '../../engine/setup/index.js';

/** Looks `email` up; null when nothing was found. Aborted by `signal` at the deadline. */
export type AccountResolver = (
  email: string,
  signal: AbortSignal,
) => Promise<ResolvedAccount | null>;

/** What `resolveEmails` uses: the resolver and where to say what was found. */
export interface ResolveEmailsDeps {
  resolve: AccountResolver;
  /** One line per resolved account (and its hint); stderr in the CLI. */
  report(line: string): void;
  /** The whole lookup of one account; 30 s by default (the resolver's steps have their own). */
  deadlineMs?: number;
}

type Json = Record<string, unknown>;

/** `json` with its address-only accounts filled in, and one problem per address not found. */
export async function resolveEmails(
  json: unknown,
  deps: ResolveEmailsDeps,
): Promise<{ json: unknown; problems: string[] }> {
  if (!isObject(json) || !Array.isArray(json.accounts)) return { json, problems: [] };
  const accounts: unknown[] = json.accounts;
  const deadlineMs = deps.deadlineMs ?? 30_000;
  const problems: string[] = [];
  const filled = await Promise.all(
    accounts.map(async (account, index) => {
      const email = addressToLookUp(account);
      if (!isObject(account) || email === undefined) return account;
      const found = await deps.resolve(email, AbortSignal.timeout(deadlineMs)).catch(() => null);
      if (!found) {
        const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
        problems.push(
          `accounts[${index}].email: no IMAP settings found for ${domain}: give host (and port, tls) yourself`,
        );
        return account;
      }
      const label = typeof account.id === 'string' ? account.id : `accounts[${index}]`;
      deps.report(describeResolved(label, found));
      if (found.auth === 'app-password' && found.hint) deps.report(`${label}: ${found.hint}`);
      return fillAccount(account, email, found);
    }),
  );
  return { json: { ...json, accounts: filled }, problems };
}

// Only a well-formed address is looked up; a malformed one is left to the schema to name.
function addressToLookUp(account: unknown): string | undefined {
  if (!isObject(account) || account.host !== undefined) return undefined;
  const email = accountFieldsSchema.shape.email.safeParse(account.email);
  return email.success ? email.data : undefined;
}

/** The account with what was found filled in under the fields the user wrote. */
export function fillAccount(account: Json, email: string, found: ResolvedAccount): Json {
  const oauth2 =
    found.auth === 'oauth2' && found.oauth2Provider && account.auth === undefined
      ? { auth: 'oauth2', oauth2: { provider: found.oauth2Provider } }
      : {};
  return {
    host: found.host,
    port: found.port,
    tls: found.tls,
    user: found.user ?? email,
    ...(found.maxConnections !== undefined ? { maxConnections: found.maxConnections } : {}),
    ...(found.openUrl !== undefined ? { openUrl: found.openUrl } : {}),
    ...oauth2,
    ...account,
  };
}

/** "work: imap.gmail.com:993 (TLS), sign-in: OAuth2 (google) — Found in Gmail's settings" */
export function describeResolved(label: string, found: ResolvedAccount): string {
  const tls = found.tls === 'implicit' ? 'TLS' : 'STARTTLS';
  const signIn =
    found.auth === 'oauth2'
      ? `OAuth2${found.oauth2Provider ? ` (${found.oauth2Provider})` : ''}`
      : found.auth === 'app-password'
        ? 'app password'
        : 'password';
  return `${label}: ${found.host}:${found.port} (${tls}), sign-in: ${signIn} — ${found.sourceLabel}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
