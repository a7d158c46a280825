/**
 * Headless accounts given by address alone: before validation, each account with an `email`
 * and no `host` is looked up (all at once, each under a deadline) and its server, TLS, login
 * name and sign-in kind filled in. What the user wrote wins over anything found.
 *
 * Two answers are refused rather than followed, each naming the lines to write into the
 * config if the server is right: a server outside the address's domain that only DNS named
 * (RFC 6186 §6: the resolver marks it `needsConfirmation`), and an answer different from the
 * one remembered for the address (`resolved-servers.ts`), unless it comes from the built-in
 * presets, which no network can forge.
 */
import { accountFieldsSchema } from '../../../common/settings-schema.js';
import type { ResolvedAccount } from '../../engine/setup/index.js';
import type { RememberedServer, ServerMemory } from './resolved-servers.js';

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
  /** What each address resolved to before; without it, every answer is taken afresh. */
  memory?: ServerMemory;
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
      const refusal = refusalOf(account, email, found, deps.memory?.recall(email));
      if (refusal) {
        problems.push(`accounts[${index}].email: ${refusal}`);
        return account;
      }
      const label = typeof account.id === 'string' ? account.id : `accounts[${index}]`;
      deps.report(describeResolved(label, found));
      if (found.auth === 'app-password' && found.hint) deps.report(`${label}: ${found.hint}`);
      deps.memory?.remember(email, found);
      return fillAccount(account, email, found);
    }),
  );
  return { json: { ...json, accounts: filled }, problems };
}

// Why `found` is not used for `email` unconfirmed, or undefined when it may be.
function refusalOf(
  account: Json,
  email: string,
  found: ResolvedAccount,
  before: RememberedServer | undefined,
): string | undefined {
  const confirm = `if it is right, put ${configLines(account, email, found)} in the account`;
  if (found.needsConfirmation) {
    return `${found.needsConfirmation}. Tidings sends no password there unconfirmed: ${confirm}`;
  }
  if (!before || found.source === 'preset' || sameServer(before, found)) return undefined;
  return `the server found for ${email} changed from ${describeServer(before)} to ${describeServer(found)} (${found.sourceLabel}), and Tidings does not follow a changed answer silently: ${confirm}`;
}

function sameServer(a: RememberedServer, b: RememberedServer): boolean {
  return a.host === b.host && a.port === b.port && a.tls === b.tls;
}

function describeServer(server: RememberedServer): string {
  return `${server.host}:${server.port} (${server.tls === 'implicit' ? 'TLS' : 'STARTTLS'})`;
}

/**
 * What the lookup would fill in, as config lines (`"host": "imap.example.com", "port": 993,
 * "tls": "implicit", "user": "ann@example.com"`): with them the account is not looked up.
 */
function configLines(account: Json, email: string, found: ResolvedAccount): string {
  const filled = fillAccount(account, email, found);
  return Object.entries(filled)
    .filter(([key]) => !(key in account))
    .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
    .join(', ');
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
  const signIn =
    found.auth === 'oauth2'
      ? `OAuth2${found.oauth2Provider ? ` (${found.oauth2Provider})` : ''}`
      : found.auth === 'app-password'
        ? 'app password'
        : 'password';
  return `${label}: ${describeServer(found)}, sign-in: ${signIn} — ${found.sourceLabel}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
