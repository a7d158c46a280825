/**
 * The account form's mailbox list: which mailboxes to watch, and which of those are only
 * counted, never popped up ("count only": a folder that a server-side filter fills with lists).
 */
import { byId, h } from './dom.js';

// Owned here: the mailboxes ticked to watch, and those marked count-only. A count-only mark
// on an unwatched mailbox is kept (untick and tick again restores it) but never saved.
let watched = new Set<string>();
let countOnly = new Set<string>();

/** Starts over from an account's saved choice and shows just those mailboxes. */
export function resetMailboxes(
  mailboxes: readonly string[],
  quiet: readonly string[],
  all = false,
): void {
  watched = new Set(mailboxes);
  countOnly = new Set(quiet);
  allBox().checked = all;
  renderMailboxes(mailboxes);
}

/** Wires "All folders": ticked, the list below is not a choice. */
export function setUpMailboxPicker(): void {
  allBox().addEventListener('change', showAllChoice);
}

/** Whether "All folders" is ticked. */
export function allFoldersChosen(): boolean {
  return allBox().checked;
}

const allBox = () => byId<HTMLInputElement>('f-allMailboxes');

// With "All folders" the rows stay to be seen, and cannot be ticked one by one.
function showAllChoice(): void {
  for (const input of byId('mailbox-list').querySelectorAll<HTMLInputElement>('input')) {
    input.disabled = allBox().checked || (input.id.startsWith('mbq-') && !watched.has(input.value));
  }
}

/** Shows `names` to choose from, plus any watched one they lack, so it can be unticked. */
export function renderMailboxes(names: readonly string[]): void {
  const all = [...names, ...[...watched].filter((name) => !names.includes(name))];
  byId('mailbox-list').replaceChildren(...all.map(mailboxRow));
  showAllChoice();
}

/** The mailboxes to watch, in the order they were chosen. */
export function chosenMailboxes(): string[] {
  return [...watched];
}

/** The watched mailboxes marked count-only. */
export function chosenQuietMailboxes(): string[] {
  return [...watched].filter((name) => countOnly.has(name));
}

/** Focuses the list's first checkbox (for an error about the mailboxes). */
export function focusMailboxes(): void {
  byId('mailbox-list').querySelector<HTMLInputElement>('input')?.focus();
}

function mailboxRow(name: string, index: number): HTMLElement {
  const watch = h('input', { type: 'checkbox', id: `mb-${index}`, value: name });
  // Its name carries the mailbox's, which the visible label leaves to the row.
  const quiet = h('input', {
    type: 'checkbox',
    id: `mbq-${index}`,
    value: name,
    'aria-label': `Count only, no popups: ${name}`,
  });
  // An unwatched mailbox shows no count-only mark: it would not be saved.
  const showQuiet = () => {
    quiet.checked = watch.checked && countOnly.has(name);
    quiet.disabled = !watch.checked;
  };
  watch.checked = watched.has(name);
  showQuiet();
  watch.addEventListener('change', () => {
    toggle(watched, name, watch.checked);
    showQuiet();
  });
  quiet.addEventListener('change', () => toggle(countOnly, name, quiet.checked));
  return h(
    'div',
    { class: 'mailbox-choice' },
    h('span', { class: 'checkbox' }, watch, h('label', { for: watch.id }, name)),
    h(
      'span',
      { class: 'checkbox count-only' },
      quiet,
      h('label', { for: quiet.id }, 'Count only, no popups'),
    ),
  );
}

function toggle(set: Set<string>, name: string, on: boolean): void {
  if (on) set.add(name);
  else set.delete(name);
}
