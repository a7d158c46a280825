/**
 * The sidebar's sections, as WAI-ARIA's vertical tabs: one section shows at a time, chosen by a
 * click or, once the list has focus, by the arrow keys, Home and End. Only the chosen tab is in
 * the Tab order, so Tab goes from it straight into its section.
 */
import { byId } from './dom.js';

/** The sections, in the sidebar's order. */
export const sectionNames = ['accounts', 'notifications', 'quiet-hours', 'about'] as const;
/** A section, named as its ids are (`tab-…`, `section-…`). */
export type SectionName = (typeof sectionNames)[number];

const tab = (name: SectionName) => byId<HTMLButtonElement>(`tab-${name}`);
const section = (name: SectionName) => byId(`section-${name}`);

/** Wires the tabs once. */
export function setUpSections(): void {
  for (const name of sectionNames) tab(name).addEventListener('click', () => showSection(name));
  byId('section-tabs').addEventListener('keydown', (event) => {
    const next = sectionNames[keyTarget(event.key, sectionNames.indexOf(shownSection()))];
    if (next === undefined) return;
    event.preventDefault();
    showSection(next);
    tab(next).focus();
  });
}

// Where a key moves the choice from `index`: the arrows wrap around, as in a menu.
function keyTarget(key: string, index: number): number {
  const count = sectionNames.length;
  if (key === 'ArrowDown') return (index + 1) % count;
  if (key === 'ArrowUp') return (index - 1 + count) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return -1;
}

/** Shows section `name`, and only it, with its tab chosen. */
export function showSection(name: SectionName): void {
  for (const other of sectionNames) {
    const chosen = other === name;
    tab(other).setAttribute('aria-selected', String(chosen));
    tab(other).tabIndex = chosen ? 0 : -1;
    section(other).hidden = !chosen;
  }
  // Sections that share a form (the preferences, with one Save button) show it with them.
  for (const group of document.querySelectorAll<HTMLElement>('.section-group')) {
    group.hidden = !group.contains(section(name));
  }
}

/** The section showing. */
export function shownSection(): SectionName {
  return sectionNames.find((name) => !section(name).hidden) ?? 'accounts';
}

/**
 * Focuses `control`, first bringing its section forward when another one shows, and scrolls
 * its whole field (the error below it too) into view.
 */
export function focusInSection(control: HTMLElement): void {
  const holder = control.closest('[role="tabpanel"]');
  const name = sectionNames.find((candidate) => holder?.id === `section-${candidate}`);
  if (name && name !== shownSection()) showSection(name);
  control.focus();
  control.closest('.field')?.scrollIntoView({ block: 'nearest' });
}

/** Marks the tab of section `name` as holding unsaved changes, or not. */
export function markUnsaved(name: SectionName, unsaved: boolean): void {
  const mark = tab(name).querySelector<HTMLElement>('.unsaved');
  if (mark) mark.hidden = !unsaved;
}
