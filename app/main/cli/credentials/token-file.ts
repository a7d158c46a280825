/**
 * Refresh tokens for `tidings watch`: what `tidings login` stored and what a provider rotated
 * since, in `tokens.json` in the state directory (0600, in a directory made 0700). Each token
 * is kept with the token endpoint and client it was issued to and is handed out only for
 * those, so a config edited to point at another provider never sends it there. conf re-reads
 * the file on every `get`: a `tidings login` while `tidings watch` runs is seen at its next
 * refresh.
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
import type { Logger } from '../../engine/index.js';

/** What a refresh token belongs to. */
export interface TokenBinding {
  tokenUrl: string;
  clientId: string;
}

interface StoredToken extends TokenBinding {
  refreshToken: string;
  savedAt: string;
}

type TokenShape = Record<string, StoredToken>;

/** The token file of one state directory. */
export class TokenFile {
  readonly path: string;
  // Opened when first needed: a config refused, or without OAuth2, leaves no trace.
  private conf: Conf<TokenShape> | undefined;

  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
  ) {
    this.path = path.join(directory, 'tokens.json');
  }

  /** The refresh token stored for `account`, if it was issued to `binding`'s endpoint and client. */
  get(account: string, binding: TokenBinding): string | undefined {
    if (!this.conf && !existsSync(this.path)) return undefined;
    const stored = this.open().get(account);
    if (!stored || typeof stored.refreshToken !== 'string') return undefined;
    return stored.tokenUrl === binding.tokenUrl && stored.clientId === binding.clientId
      ? stored.refreshToken
      : undefined;
  }

  /** Stores `refreshToken` for `account` (atomically: a crash leaves the old one or the new). */
  save(account: string, binding: TokenBinding, refreshToken: string): void {
    const { tokenUrl, clientId } = binding;
    this.open().set(account, {
      tokenUrl,
      clientId,
      refreshToken,
      savedAt: new Date().toISOString(),
    });
  }

  /** Drops `account`'s stored token if it is `refreshToken` (the one the provider refused). */
  drop(account: string, refreshToken: string): void {
    if (!this.conf && !existsSync(this.path)) return;
    const conf = this.open();
    if (conf.get(account)?.refreshToken === refreshToken) conf.delete(account);
  }

  private open(): Conf<TokenShape> {
    if (this.conf) return this.conf;
    const { directory, path: file } = this;
    ensurePrivateDirectory(directory);
    // A file from before (or copied in) is tightened, not only new ones.
    restrictToOwner(file);
    this.conf = openJsonStore(
      file,
      () =>
        new Conf<TokenShape>({
          cwd: directory,
          configName: 'tokens',
          accessPropertiesByDotNotation: false,
          configFileMode: PRIVATE_FILE_MODE,
        }),
      (backup) =>
        this.logger.warn(
          `token file ${file} was not valid JSON; kept it as ${backup}: sign in again`,
        ),
    );
    return this.conf;
  }
}
