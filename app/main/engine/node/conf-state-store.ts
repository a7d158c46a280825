/**
 * The `StateStore` on disk, through conf (atomic writes). conf re-reads its file on every
 * `get`, so the state is read once here and kept in memory. The changes of one turn of the
 * event loop are written together at its end, in one write of the whole file: conf's `set`
 * reads and parses the file twice and writes, fsyncs and renames it, synchronously, so a
 * write per change made a first start of 20 accounts × 50 mailboxes 1,000 rewrites of
 * state.json, most of its time, and 10,000 mailboxes minutes (bench/RESULTS.md, issue 23).
 * A crash between a change and its write can only repeat an announcement (the cursor lags),
 * never lose one.
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
  private pending: NodeJS.Immediate | undefined;

  constructor(
    directory: string,
    private readonly logger: Logger,
  ) {
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
    this.writeSoon();
  }

  getAnnouncedMessageIds(account: string): string[] {
    return [...(this.messageIds[account] ?? [])];
  }

  setAnnouncedMessageIds(account: string, messageIds: string[]): void {
    this.messageIds[account] = [...messageIds];
    this.writeSoon();
  }

  /**
   * Writes the pending changes now. A write that fails (a full disk, a directory made
   * read-only) is logged, not thrown: it runs from the event loop, where a throw would end
   * the process; the state stays in memory and the next change writes all of it again.
   */
  flush(): void {
    if (!this.pending) return;
    clearImmediate(this.pending);
    this.pending = undefined;
    try {
      // The whole state in one write: conf's `store` setter writes without reading first.
      this.conf.store = { cursors: this.cursors, announcedMessageIds: this.messageIds };
    } catch (error) {
      this.logger.error(`could not write the state file ${this.conf.path}: ${String(error)}`);
    }
  }

  private writeSoon(): void {
    this.pending ??= setImmediate(() => this.flush());
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
