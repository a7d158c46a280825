/**
 * The state journal's format, without files: what one turn of the event loop changed, as one
 * line of JSON, and how such lines are read back and applied over the snapshot (state.json).
 * The first line names the snapshot the journal follows (the SHA-256 of its bytes, `null`
 * for none), so a journal is only ever replayed over that snapshot: one left by a crash
 * between a compaction's new snapshot and its removal, or by an older Tidings that wrote
 * state.json without knowing of it, follows another one and is not replayed twice.
 * A turn is one line, so a crash mid-append tears at most the last turn, whole.
 */
import type { MailboxCursor } from '../base/index.js';

/** The state as the snapshot holds it (state.json's shape, unchanged by the journal). */
export interface StateShape {
  cursors: Record<string, Record<string, MailboxCursor>>;
  announcedMessageIds: Record<string, string[]>;
}

/**
 * A change of an account's announced Message-IDs: the oldest `drop` forgotten and `add`
 * appended (what the announcer does), or, when the new list is not that, `all` of it.
 */
export type MessageIdsChange = { drop: number; add: string[] } | { all: string[] };

/** What one turn changed: cursors by account and mailbox, Message-ID lists by account. */
export interface JournalTurn {
  cursors?: Record<string, Record<string, MailboxCursor>>;
  ids?: Record<string, MessageIdsChange>;
}

/** The journal's first line. */
export interface JournalHeader {
  journal: 1;
  /** SHA-256 (hex) of the state.json this journal follows; null when there was none. */
  snapshot: string | null;
}

/** The journal's first line, for a snapshot with the given digest. */
export function encodeHeader(snapshot: string | null): string {
  return `${JSON.stringify({ journal: 1, snapshot } satisfies JournalHeader)}\n`;
}

/** One turn as one line. */
export function encodeTurn(turn: JournalTurn): string {
  return `${JSON.stringify(turn)}\n`;
}

/** How `after` differs from `before`: a dropped prefix and an added suffix when it is that. */
export function diffMessageIds(
  before: readonly string[],
  after: readonly string[],
): MessageIdsChange {
  // Message-IDs are unique in a list: where `after` starts in `before` is the only candidate.
  const first = after[0];
  const drop = first === undefined ? before.length : before.indexOf(first);
  const kept = drop < 0 ? 0 : before.length - drop;
  if (drop < 0 || kept > after.length) return { all: [...after] };
  for (let i = 0; i < kept; i++) {
    if (before[drop + i] !== after[i]) return { all: [...after] };
  }
  return { drop, add: after.slice(kept) };
}

/** `list` with `change` applied, or undefined when it drops more than the list holds. */
export function applyMessageIds(
  list: readonly string[],
  change: MessageIdsChange,
): string[] | undefined {
  if ('all' in change) return [...change.all];
  if (change.drop > list.length) return undefined;
  return [...list.slice(change.drop), ...change.add];
}

/** Applies one turn to `state`, whole; false (and `state` untouched) when it does not fit. */
export function applyTurn(state: StateShape, turn: JournalTurn): boolean {
  const lists = new Map<string, string[]>();
  for (const [account, change] of Object.entries(turn.ids ?? {})) {
    const list = applyMessageIds(state.announcedMessageIds[account] ?? [], change);
    if (!list) return false;
    lists.set(account, list);
  }
  for (const [account, list] of lists) state.announcedMessageIds[account] = list;
  for (const [account, mailboxes] of Object.entries(turn.cursors ?? {})) {
    Object.assign((state.cursors[account] ??= {}), mailboxes);
  }
  return true;
}

/** A journal read back: its header, its whole turns, and where reading stopped and why. */
export interface ReadJournal {
  header: JournalHeader | undefined;
  turns: JournalTurn[];
  /** The last line was cut short or garbled (a crash mid-append): left out. */
  tornLastLine: boolean;
  /** 1-based number of a garbled line with lines after it: nothing from it on was read. */
  garbledLine: number | undefined;
}

/** Splits a journal's text into its header and turns; stops at the first line that is not one. */
export function readJournal(text: string): ReadJournal {
  const lines = text.split('\n');
  // A journal ends with a newline: what follows the last one is an append cut short.
  const torn = lines.pop() !== '';
  const result: ReadJournal = {
    header: undefined,
    turns: [],
    tornLastLine: torn,
    garbledLine: undefined,
  };
  for (const [index, line] of lines.entries()) {
    const parsed = parseLine(line);
    const fits = index === 0 ? isHeader(parsed) : isTurn(parsed);
    if (!fits) {
      if (index === lines.length - 1 && !torn) result.tornLastLine = true;
      else result.garbledLine = index + 1;
      break;
    }
    if (index === 0) result.header = parsed as JournalHeader;
    else result.turns.push(parsed as JournalTurn);
  }
  return result;
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

function isHeader(value: unknown): boolean {
  return (
    isRecord(value) &&
    value['journal'] === 1 &&
    (value['snapshot'] === null || typeof value['snapshot'] === 'string')
  );
}

function isCursor(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value['uidValidity'] === 'number' &&
    typeof value['highestUid'] === 'number'
  );
}

function isIdsChange(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if ('all' in value) return isStringArray(value['all']);
  const drop = value['drop'];
  return (
    typeof drop === 'number' && Number.isInteger(drop) && drop >= 0 && isStringArray(value['add'])
  );
}

function isTurn(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const { cursors, ids } = value;
  if (cursors !== undefined) {
    if (!isRecord(cursors)) return false;
    for (const mailboxes of Object.values(cursors)) {
      if (!isRecord(mailboxes) || !Object.values(mailboxes).every(isCursor)) return false;
    }
  }
  return ids === undefined || (isRecord(ids) && Object.values(ids).every(isIdsChange));
}
