/**
 * What each email-only account resolved to, remembered in `resolved-servers.json` in the
 * state directory (0600), so that a later, different answer (a changed autoconfig document,
 * a forged DNS reply) is not followed silently: `resolve-emails.ts` refuses it and says what
 * changed. Keyed by the address, lower-cased.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import {
  ensurePrivateDirectory,
  openJsonStore,
  PRIVATE_FILE_MODE,
  restrictToOwner,
} from '../../engine/node/index.js';

/** Where an address's mail was found to be. */
export interface RememberedServer {
  host: string;
  port: number;
  tls: 'implicit' | 'starttls';
}

/** The memory `resolveEmails` consults; `ResolvedServers` is the file-backed one. */
export interface ServerMemory {
  recall(email: string): RememberedServer | undefined;
  remember(email: string, server: RememberedServer): void;
}

type Shape = Record<string, RememberedServer & { resolvedAt: string }>;

/** The resolved-servers file of one state directory. */
export class ResolvedServers implements ServerMemory {
  readonly path: string;
  // Opened when first needed: a config without email-only accounts leaves no file.
  private conf: Conf<Shape> | undefined;

  constructor(
    private readonly directory: string,
    private readonly warn: (line: string) => void,
  ) {
    this.path = path.join(directory, 'resolved-servers.json');
  }

  recall(email: string): RememberedServer | undefined {
    if (!this.conf && !existsSync(this.path)) return undefined;
    const stored = this.open().get(email.toLowerCase());
    if (!isServer(stored)) return undefined;
    return { host: stored.host, port: stored.port, tls: stored.tls };
  }

  remember(email: string, server: RememberedServer): void {
    const { host, port, tls } = server;
    this.open().set(email.toLowerCase(), { host, port, tls, resolvedAt: new Date().toISOString() });
  }

  private open(): Conf<Shape> {
    if (this.conf) return this.conf;
    const { directory, path: file } = this;
    ensurePrivateDirectory(directory);
    restrictToOwner(file);
    this.conf = openJsonStore(
      file,
      () =>
        new Conf<Shape>({
          cwd: directory,
          configName: 'resolved-servers',
          accessPropertiesByDotNotation: false,
          configFileMode: PRIVATE_FILE_MODE,
        }),
      (backup) => this.warn(`${file} was not valid JSON; kept it as ${backup}`),
    );
    return this.conf;
  }
}

// A hand-edited entry that is not a server is as good as none: the next answer is taken.
function isServer(value: unknown): value is RememberedServer {
  if (typeof value !== 'object' || value === null) return false;
  const { host, port, tls } = value as Record<string, unknown>;
  return (
    typeof host === 'string' &&
    typeof port === 'number' &&
    (tls === 'implicit' || tls === 'starttls')
  );
}
