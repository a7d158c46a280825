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

/** Wires "All folders" (ticked, the list below is not a choice) and the filter. */
export function setUpMailboxPicker(): void {
  allBox().addEventListener('change', showAllChoice);
  filterBox().addEventListener('input', applyFilter);
}

/** Whether "All folders" is ticked. */
export function allFoldersChosen(): boolean {
  return allBox().checked;
}

const allBox = () => byId<HTMLInputElement>('f-allMailboxes');
const filterBox = () => byId<HTMLInputElement>('mailbox-filter');

/** From how many mailboxes on the list is filterable (a server may list thousands). */
const FILTER_FROM = 12;

// With "All folders" the rows stay to be seen, and cannot be ticked one by one.
function showAllChoice(): void {
  for (const input of byId('mailbox-list').querySelectorAll<HTMLInputElement>('input')) {
    input.disabled = allBox().checked || (input.id.startsWith('mbq-') && !watched.has(input.value));
  }
}

/** Shows `names` to choose from, plus any watched one they lack, so it can be unticked. */
export function renderMailboxes(names: readonly string[]): void {
  const listed = new Set(names);
  const all = [...listed, ...[...watched].filter((name) => !listed.has(name))];
  byId('mailbox-list').replaceChildren(...all.map(mailboxRow));
  byId('mailbox-filter-field').hidden = all.length < FILTER_FROM;
  filterBox().value = '';
  applyFilter();
  showAllChoice();
}

// Shows the rows whose name holds the filter's text, whatever the case; hidden rows keep
// their ticks (and are saved).
function applyFilter(): void {
  const text = filterBox().value.trim().toLowerCase();
  const rows = byId('mailbox-list').querySelectorAll<HTMLElement>('.mailbox-choice');
  let shown = 0;
  for (const row of rows) {
    const match = text === '' || (row.dataset.name ?? '').toLowerCase().includes(text);
    row.hidden = !match;
    if (match) shown++;
  }
  byId('mailbox-filter-count').textContent =
    text === '' ? `${rows.length} folders` : `${shown} of ${rows.length} folders shown`;
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
    { class: 'mailbox-choice', 'data-name': name },
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
