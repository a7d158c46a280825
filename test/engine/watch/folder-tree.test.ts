/**
 * "all"'s bookkeeping across lists, without a socket: what a LIST adds and drops, a rename's
 * cursor taken by its new name even when the LIST that shows it comes later, and a folder
 * created while watched announced from its first message.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../app/main/engine/base/index.js';
import type { ListedMailbox } from '../../../app/main/engine/imap/index.js';
import { FolderTree } from '../../../app/main/engine/watch/folder-tree.js';
import { MemoryStateStore } from '../../support/memory-state-store.js';

const SERVER = 'ann@imap.example.com:993';
const list = (...paths: string[]) => ({
  listed: paths.map((path): ListedMailbox => ({ path, flags: [], delimiter: '/' })),
  otherNamespaces: [],
});

function tree() {
  const store = new MemoryStateStore();
  return { store, tree: new FolderTree('a', SERVER, store, silentLogger) };
}

describe('FolderTree', () => {
  it('says what each LIST adds and drops, the first one apart', () => {
    const { tree: folders } = tree();
    expect(folders.update(list('INBOX', 'Work', 'Trash'), [], [], [])).toEqual({
      watched: ['INBOX', 'Work'],
      added: ['INBOX', 'Work'],
      gone: [],
      first: true,
    });
    expect(folders.shows('Trash')).toBe(true);
    expect(folders.update(list('INBOX', 'Lists'), [], ['INBOX', 'Work'], [])).toEqual({
      watched: ['INBOX', 'Lists'],
      added: ['Lists'],
      gone: ['Work'],
      first: false,
    });
    expect(folders.coverage(2)).toBe('all 2 folders');
  });

  it("gives a renamed folder its old name's cursor, even when a later LIST shows the new name", () => {
    const { store, tree: folders } = tree();
    folders.update(list('INBOX', 'Work'), [], [], []);
    store.setCursor('a', 'Work', { uidValidity: 7, highestUid: 41, server: SERVER });
    // The first LIST after the rename no longer shows Work, and not yet Job.
    folders.update(list('INBOX'), [], ['INBOX', 'Work'], []);
    folders.update(list('INBOX', 'Job'), [], ['INBOX'], []);
    expect(folders.adoptCreated('Job', 7)).toBe(true);
    expect(store.getCursor('a', 'Job')).toEqual({ uidValidity: 7, highestUid: 41, server: SERVER });
    // Taken once: a second folder with the same number is a new one.
    folders.update(list('INBOX', 'Job', 'Copy'), [], ['INBOX', 'Job'], []);
    expect(folders.adoptCreated('Copy', 7)).toBe(true);
    expect(store.getCursor('a', 'Copy')).toEqual({ uidValidity: 7, highestUid: 0, server: SERVER });
  });

  it('takes a folder created while watched from its first message, and only once', () => {
    const { store, tree: folders } = tree();
    folders.update(list('INBOX'), [], [], []);
    folders.update(list('INBOX', 'Projects'), [], ['INBOX'], []);
    expect(folders.adoptCreated('Projects', 3)).toBe(true);
    expect(store.getCursor('a', 'Projects')).toEqual({
      uidValidity: 3,
      highestUid: 0,
      server: SERVER,
    });
    store.setCursor('a', 'Projects', { uidValidity: 3, highestUid: 5, server: SERVER });
    expect(folders.adoptCreated('Projects', 3)).toBe(false);
    expect(store.getCursor('a', 'Projects')?.highestUid).toBe(5);
    // What the first LIST shows is not created while watched.
    expect(folders.adoptCreated('INBOX', 1)).toBe(false);
  });
});
