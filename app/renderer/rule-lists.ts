/**
 * The sender and list rules of the preferences form: VIPs, muted senders and muted mailing
 * lists, each a textarea with one entry per line.
 */
import type { NotificationSettings } from '../common/settings-schema.js';
import { byId, setFieldError } from './dom.js';

/** The three lists, by their key in the notification settings. */
export const ruleLists = ['vip', 'muteSenders', 'muteLists'] as const;
export type RuleListName = (typeof ruleLists)[number];

/** One textarea's entries, and the line (from 1) each was written on. */
export interface RuleListDraft {
  entries: string[];
  lines: number[];
}

/** Entries of `text`: one per line, trimmed, empty lines dropped. */
export function parseLines(text: string): RuleListDraft {
  const draft: RuleListDraft = { entries: [], lines: [] };
  text.split(/\r?\n/).forEach((line, index) => {
    const entry = line.trim();
    if (!entry) return;
    draft.entries.push(entry);
    draft.lines.push(index + 1);
  });
  return draft;
}

const textarea = (name: RuleListName) => byId<HTMLTextAreaElement>(`p-${name}`);

/** Fills the textareas from settings. */
export function showRuleLists(notifications: NotificationSettings): void {
  for (const name of ruleLists) textarea(name).value = (notifications[name] ?? []).join('\n');
}

/** The lists as the form shows them. */
export function readRuleLists(): Record<RuleListName, RuleListDraft> {
  const read = (name: RuleListName) => parseLines(textarea(name).value);
  return { vip: read('vip'), muteSenders: read('muteSenders'), muteLists: read('muteLists') };
}

/**
 * Shows main's errors about the lists beside their textareas (clearing the others): an error
 * about entry 2 ("notifications.vip.2") names the entry and the line it is on in `drafts`.
 * Returns the first textarea to focus, if any.
 */
export function showRuleListErrors(
  errors: Record<string, string>,
  drafts: Record<RuleListName, RuleListDraft>,
): HTMLElement | null {
  let first: HTMLElement | null = null;
  for (const name of ruleLists) {
    const prefix = `notifications.${name}`;
    const messages = Object.entries(errors).flatMap(([key, message]) => {
      if (key === prefix) return [message];
      if (!key.startsWith(`${prefix}.`)) return [];
      const index = Number(key.slice(prefix.length + 1));
      const entry = drafts[name].entries[index];
      const line = drafts[name].lines[index];
      return entry === undefined ? [message] : [`Line ${line}, “${entry}”: ${message}`];
    });
    setFieldError('p', name, messages.join('\n'));
    if (messages.length > 0) first ??= textarea(name);
  }
  return first;
}
