/**
 * OAuth2 tokens for `tidings watch`: the refresh token `tidings login` stored or a provider
 * rotated since, with the latest access token it gave and when that expires, in `tokens.json`
 * in the state directory (0600, in a directory made 0700). Each entry is kept with the token
 * endpoint and client it was issued to and is handed out only for those, so a config edited
 * to point at another provider never sends it there.
 *
 * Several processes use the file at once (`tidings login`, `tidings check`, a running `tidings
 * watch`), so every write takes the file's lock (file-lock.ts), reads the file afresh, changes
 * only its own account's entry and writes. Reads take no lock: conf writes by renaming a
 * whole new file over the old one, so a reader sees one or the other, and conf keeps no copy
 * in memory (conf 15 reads the file on every `get`): a `tidings login` while `tidings watch`
 * runs is seen at its next refresh.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import Conf from 'conf';
import {
  ensurePrivateDirectory,
  openJsonStore,
  PRIVATE_FILE_MODE,
  restrictToOwner,
} from '../../engine/node/index.js';
import type { AccessGrant, Logger } from '../../engine/index.js';
import { FileLock } from './file-lock.js';

/** What a refresh token belongs to. */
export interface TokenBinding {
  tokenUrl: string;
  clientId: string;
}

interface StoredToken extends TokenBinding {
  refreshToken: string;
  savedAt: string;
  // The latest access token `refreshToken` gave, and when it expires (ISO 8601). Files from
  // before these were kept have neither: such an entry is refreshed, as it always was.
  accessToken?: string;
  accessTokenExpiresAt?: string;
}

type TokenShape = Record<string, StoredToken>;

/** How long a writer waits for another process's lock, and when a lock is a dead one's. */
export interface TokenFileOptions {
  /** Default 30 s: longer than a refresh holding the lock (its request's 15 s deadline). */
  lockWaitMs?: number;
  /** Default 10 s (proper-lockfile's); the holder touches the lock every half of it. */
  staleMs?: number;
}

const DEFAULT_LOCK_WAIT_MS = 30_000;
const DEFAULT_STALE_MS = 10_000;

/** The token file of one state directory. */
export class TokenFile {
  readonly path: string;
  private readonly lock: FileLock;
  // Opened when first needed: a config refused, or without OAuth2, leaves no trace.
  private conf: Conf<TokenShape> | undefined;

  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
    options: TokenFileOptions = {},
  ) {
    this.path = path.join(directory, 'tokens.json');
    this.lock = new FileLock(this.path, {
      waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
      staleMs: options.staleMs ?? DEFAULT_STALE_MS,
      onCompromised: (error) =>
        // Another process judged our lock stale (this one was asleep past staleMs, say) and
        // may refresh at the same time. Writes still re-read and change one entry, so the
        // refresh in hand is saved: a rotated token is not thrown away for a lost lock.
        logger.warn(`lost the lock on ${this.path} while holding it (${error.message})`),
    });
  }

  /** The refresh token stored for `account`, if it was issued to `binding`'s endpoint and client. */
  get(account: string, binding: TokenBinding): string | undefined {
    return this.entry(account, binding)?.refreshToken;
  }

  /** The access token stored with `account`'s refresh token, if any. */
  accessToken(account: string, binding: TokenBinding): AccessGrant | undefined {
    const stored = this.entry(account, binding);
    if (typeof stored?.accessToken !== 'string') return undefined;
    const expiresAt = Date.parse(stored.accessTokenExpiresAt ?? '');
    return Number.isNaN(expiresAt) ? undefined : { token: stored.accessToken, expiresAt };
  }

  /**
   * Stores `refreshToken` for `account`, with the access token it gave if known, replacing
   * what the account had; other accounts' entries are kept as the file has them now.
   */
  async save(
    account: string,
    binding: TokenBinding,
    refreshToken: string,
    access?: AccessGrant,
  ): Promise<void> {
    const { tokenUrl, clientId } = binding;
    await this.change(account, () => ({
      tokenUrl,
      clientId,
      refreshToken,
      savedAt: new Date().toISOString(),
      ...(access ? accessFields(access) : {}),
    }));
  }

  /**
   * Stores `access` beside `refreshToken`, the token it came from, if that is still the one
   * stored for `account`. Never fails: it only saves other processes a refresh.
   */
  async saveAccessToken(
    account: string,
    binding: TokenBinding,
    refreshToken: string,
    access: AccessGrant,
  ): Promise<void> {
    try {
      await this.change(account, (stored) =>
        stored?.refreshToken === refreshToken && sameBinding(stored, binding)
          ? { ...stored, ...accessFields(access) }
          : stored,
      );
    } catch (error) {
      this.logger.warn(`could not keep the access token in ${this.path}: ${String(error)}`);
    }
  }

  /** Drops `account`'s stored token if it is `refreshToken` (the one the provider refused). */
  async drop(account: string, refreshToken: string): Promise<void> {
    if (!this.conf && !existsSync(this.path)) return;
    await this.change(account, (stored) =>
      stored?.refreshToken === refreshToken ? undefined : stored,
    );
  }

  /**
   * Runs `work` holding the file's lock, so that no other process refreshes meanwhile; the
   * writes `work` makes take the lock it holds. Rejects with a `timeout` error naming the
   * file and its lock when another process holds it for longer than the wait.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    // The lock directory is made beside the file: the state directory must exist first.
    this.open();
    return this.lock.run(work);
  }

  private entry(account: string, binding: TokenBinding): StoredToken | undefined {
    if (!this.conf && !existsSync(this.path)) return undefined;
    const stored = this.open().get(account);
    if (!stored || typeof stored.refreshToken !== 'string') return undefined;
    return sameBinding(stored, binding) ? stored : undefined;
  }

  /** Under the lock: reads `account`'s entry as the file has it now, and writes `next`'s answer. */
  private change(
    account: string,
    next: (stored: StoredToken | undefined) => StoredToken | undefined,
  ): Promise<void> {
    return this.exclusive(async () => {
      const conf = this.open();
      // conf's `set` and `delete` read the whole file, change one key and write it all back:
      // without the lock, two processes' read–write pairs interleave and the later write
      // drops what the earlier one saved (another account's rotated token).
      const stored = conf.get(account);
      const changed = next(stored);
      if (changed === stored) return;
      if (changed) conf.set(account, changed);
      else conf.delete(account);
    });
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

function sameBinding(stored: TokenBinding, binding: TokenBinding): boolean {
  return stored.tokenUrl === binding.tokenUrl && stored.clientId === binding.clientId;
}

function accessFields(
  access: AccessGrant,
): Pick<StoredToken, 'accessToken' | 'accessTokenExpiresAt'> {
  return {
    accessToken: access.token,
    accessTokenExpiresAt: new Date(access.expiresAt).toISOString(),
  };
}
