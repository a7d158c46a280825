/**
 * The `StateStore` on disk, through conf (atomic writes). conf re-reads its file on every
 * `get`, so the state is read once here and kept in memory; each change is written through.
 * Mailbox names contain dots, so conf's dot-notation paths are turned off. The state names
 * accounts, mailboxes and Message-IDs: the file is 0600, a directory made for it 0700.
 */
import path from 'node:path';
import Conf from 'conf';
import {
  ensurePrivateDirectory,
  openJsonStore,
  PRIVATE_FILE_MODE,
  restrictToOwner,
} from './open-json-store.js';
import type { Logger, MailboxCursor, StateStore } from '../base/index.js';

interface StateShape {
  cursors: Record<string, Record<string, MailboxCursor>>;
  announcedMessageIds: Record<string, string[]>;
}

/** Opens the state file `state.json` in `directory`. */
export class ConfStateStore implements StateStore {
  private readonly conf: Conf<StateShape>;
  private readonly cursors: StateShape['cursors'];
  private readonly messageIds: StateShape['announcedMessageIds'];

  constructor(directory: string, logger: Logger) {
    this.conf = openConf(directory, logger);
    this.cursors = this.conf.get('cursors', {});
    this.messageIds = this.conf.get('announcedMessageIds', {});
  }

  /** The state file's path. */
  get path(): string {
    return this.conf.path;
  }

  getCursor(account: string, mailbox: string): MailboxCursor | undefined {
    return this.cursors[account]?.[mailbox];
  }

  setCursor(account: string, mailbox: string, cursor: MailboxCursor): void {
    this.cursors[account] = { ...this.cursors[account], [mailbox]: { ...cursor } };
    this.conf.set('cursors', this.cursors);
  }

  getAnnouncedMessageIds(account: string): string[] {
    return [...(this.messageIds[account] ?? [])];
  }

  setAnnouncedMessageIds(account: string, messageIds: string[]): void {
    this.messageIds[account] = [...messageIds];
    this.conf.set('announcedMessageIds', this.messageIds);
  }
}

function openConf(directory: string, logger: Logger): Conf<StateShape> {
  const file = path.join(directory, 'state.json');
  ensurePrivateDirectory(directory);
  // A state file from before this rule (or copied in) is tightened, not only new ones.
  restrictToOwner(file);
  return openJsonStore(
    file,
    () =>
      new Conf<StateShape>({
        cwd: directory,
        configName: 'state',
        accessPropertiesByDotNotation: false,
        configFileMode: PRIVATE_FILE_MODE,
      }),
    // Every mailbox then baselines again, which announces nothing old.
    (backup) =>
      logger.warn(`state file ${file} was not valid JSON; kept it as ${backup} and started afresh`),
  );
}
