/**
 * The `StateStore` on disk: a snapshot, state.json (through conf: a temp file, fsync, rename;
 * 0600), and beside it an append-only journal, state.journal (0600, JSON lines), that holds
 * what changed since. The state is read once and kept in memory (conf re-reads its file on
 * every `get`). The changes of one turn of the event loop are appended together at its end,
 * as one line in one write: a cursor as itself, an account's Message-IDs as how many oldest
 * were forgotten and which were added (the announcer hands over the whole list of up to
 * 5,000 each time). Rewriting the whole state per turn wrote 351 KiB per announced message
 * at 1,000 mailboxes and 3.4 MB at 10,000 (two turns per message; bench/RESULTS.md, issue
 * 23); an append is a few hundred bytes whatever the size. Each append is fdatasynced, so a
 * turn is as durable as when it rewrote state.json (conf fsyncs): about 2 ms a turn here,
 * and a 4 KiB page written rather than the line's bytes. Without it a power cut could take
 * the last seconds of turns: not wrong (announcements repeat, none is lost), but the popups
 * of those seconds would come again after it.
 * The journal is folded into a new snapshot (compaction: state.json written, then the
 * journal removed) when the store opens, when the journal outgrows max(64 KiB, the last
 * snapshot), so a message's share of the rewrites stays a small constant, and on `flush`
 * (the supervisor's stop, a second Ctrl-C). The journal names the snapshot it follows by
 * digest: one left by a crash between the two steps is not replayed again (see
 * state-journal.ts). state.json keeps its shape, so an older Tidings still reads it.
 * A crash between a change and its append can only repeat an announcement (the cursor lags),
 * never lose one; a torn or garbled journal loses only its tail, which is the same.
 * Mailbox names contain dots, so conf's dot-notation paths are turned off. The state names
 * accounts, mailboxes and Message-IDs: the files are 0600, a directory made for them 0700.
 */
import path from 'node:path';
import Conf from 'conf';
import {
  ensurePrivateDirectory,
  openJsonStore,
  PRIVATE_FILE_MODE,
  restrictToOwner,
} from './open-json-store.js';
import {
  diffMessageIds,
  encodeHeader,
  encodeTurn,
  type JournalTurn,
  type StateShape,
} from './state-journal.js';
import {
  appendDurably,
  readSnapshotFacts,
  removeJournal,
  replayJournal,
  type SnapshotFacts,
} from './state-journal-file.js';
import type { Logger, MailboxCursor, StateStore } from '../base/index.js';

/** The journal is folded in while running only past this or the snapshot's size, the larger. */
const MIN_JOURNAL_BYTES = 64 * 1024;

/** Opens the state file `state.json` and its journal `state.journal` in `directory`. */
export class ConfStateStore implements StateStore {
  private readonly conf: Conf<StateShape>;
  private readonly journal: string;
  private readonly state: StateShape;
  private snapshot: SnapshotFacts;
  /** Bytes in the journal since the last compaction; 0 when this store has not begun one. */
  private journalBytes = 0;
  /** A write failed: the journal misses changes, so the next write is a whole snapshot. */
  private mustCompact = false;
  /** This turn's cursors, not yet in the journal. */
  private turnCursors: NonNullable<JournalTurn['cursors']> = {};
  /** For accounts whose Message-IDs changed this turn: the list as the journal has it. */
  private readonly turnIdsBefore = new Map<string, string[]>();
  private pending: NodeJS.Immediate | undefined;

  constructor(
    directory: string,
    private readonly logger: Logger,
  ) {
    this.conf = openConf(directory, logger);
    this.journal = path.join(directory, 'state.journal');
    restrictToOwner(this.journal);
    this.state = {
      cursors: this.conf.get('cursors', {}),
      announcedMessageIds: this.conf.get('announcedMessageIds', {}),
    };
    this.snapshot = readSnapshotFacts(this.conf.path);
    const replayed = replayJournal(this.journal, this.state, this.snapshot.digest, logger);
    if (replayed === undefined) return;
    if (replayed > 0) this.compact();
    else this.removeStaleJournal();
  }

  /** The state file's path. */
  get path(): string {
    return this.conf.path;
  }

  getCursor(account: string, mailbox: string): MailboxCursor | undefined {
    return this.state.cursors[account]?.[mailbox];
  }

  setCursor(account: string, mailbox: string, cursor: MailboxCursor): void {
    // In place: copying an account's record per change is quadratic in its mailboxes.
    const copy = { ...cursor };
    (this.state.cursors[account] ??= {})[mailbox] = copy;
    (this.turnCursors[account] ??= {})[mailbox] = copy;
    this.writeSoon();
  }

  getAnnouncedMessageIds(account: string): string[] {
    return [...(this.state.announcedMessageIds[account] ?? [])];
  }

  setAnnouncedMessageIds(account: string, messageIds: string[]): void {
    const ids = this.state.announcedMessageIds;
    // The first change of a turn keeps the old list (replaced, never changed in place).
    if (!this.turnIdsBefore.has(account)) this.turnIdsBefore.set(account, ids[account] ?? []);
    ids[account] = [...messageIds];
    this.writeSoon();
  }

  /**
   * Writes everything to the snapshot now and removes the journal (what is pending included);
   * with nothing pending and no journal, writes nothing. A write that fails (a full disk, a
   * directory made read-only) is logged, not thrown, here and at the end of a turn: that runs
   * from the event loop, where a throw would end the process. The state stays in memory and
   * the next write is a whole snapshot again.
   */
  flush(): void {
    const pending = this.pending !== undefined;
    this.cancelPending();
    if (pending || this.journalBytes > 0 || this.mustCompact) this.compact();
  }

  private writeSoon(): void {
    this.pending ??= setImmediate(() => this.writeTurn());
  }

  private cancelPending(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
  }

  /** Appends this turn's changes as one line; compacts instead when that is due. */
  private writeTurn(): void {
    this.pending = undefined;
    if (this.mustCompact) return this.compact();
    const turn = this.takeTurn();
    const fresh = this.journalBytes === 0;
    const text = (fresh ? encodeHeader(this.snapshot.digest) : '') + encodeTurn(turn);
    try {
      appendDurably(this.journal, text, fresh);
    } catch (error) {
      this.logger.error(`could not append to the state journal ${this.journal}: ${String(error)}`);
      this.mustCompact = true;
      return;
    }
    this.journalBytes += Buffer.byteLength(text);
    if (this.journalBytes > Math.max(MIN_JOURNAL_BYTES, this.snapshot.bytes)) this.compact();
  }

  /** This turn's changes, as a journal line holds them; the turn starts afresh. */
  private takeTurn(): JournalTurn {
    const turn: JournalTurn = {};
    if (Object.keys(this.turnCursors).length > 0) turn.cursors = this.turnCursors;
    for (const [account, before] of this.turnIdsBefore) {
      const after = this.state.announcedMessageIds[account] ?? [];
      (turn.ids ??= {})[account] = diffMessageIds(before, after);
    }
    this.forgetTurn();
    return turn;
  }

  private forgetTurn(): void {
    this.turnCursors = {};
    this.turnIdsBefore.clear();
  }

  /**
   * A new snapshot of the whole state, then the journal removed: in that order, so a crash
   * between leaves a journal that names the snapshot before and is not replayed.
   */
  private compact(): void {
    this.forgetTurn();
    try {
      // conf's `store` setter writes the whole object (reading the old file only for conf's
      // own internal key); a fresh object, as it may add that key to it.
      this.conf.store = { ...this.state };
      this.snapshot = readSnapshotFacts(this.conf.path);
      removeJournal(this.journal);
    } catch (error) {
      this.logger.error(`could not write the state file ${this.conf.path}: ${String(error)}`);
      this.mustCompact = true;
      return;
    }
    this.journalBytes = 0;
    this.mustCompact = false;
  }

  /** A journal with nothing to replay goes; the next turn begins a new one. */
  private removeStaleJournal(): void {
    try {
      removeJournal(this.journal);
    } catch (error) {
      this.logger.error(`could not remove the state journal ${this.journal}: ${String(error)}`);
      this.mustCompact = true;
    }
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
