/**
 * Notification preferences (burst threshold, sound, privacy, quiet hours, sender and list
 * rules) and start at login. Checks what it can before asking main, and shows main's
 * validation errors beside their fields.
 */
import type { PreferencesInput, SettingsView } from '../common/ipc-contract.js';
import { api } from './api.js';
import { byId, setFieldError } from './dom.js';
import {
  checkQuietHours,
  readQuietHours,
  setUpQuietHours,
  showQuietHours,
  showQuietHoursErrors,
} from './quiet-hours-editor.js';
import {
  readRuleLists,
  ruleLists,
  showRuleListErrors,
  showRuleLists,
  type RuleListDraft,
  type RuleListName,
} from './rule-lists.js';

const checkbox = (id: string) => byId<HTMLInputElement>(id);

// The update preference as last loaded: this form does not show it (yet) but saves it back.
let checkForUpdates = true;

/** Fills the form from settings. */
export function showPreferences(settings: SettingsView): void {
  const { notifications } = settings;
  byId<HTMLInputElement>('p-burstThreshold').value = String(notifications.burstThreshold);
  checkbox('p-sound').checked = notifications.sound;
  checkbox('p-showSubject').checked = notifications.showSubject;
  checkbox('p-startAtLogin').checked = settings.startAtLogin;
  checkForUpdates = settings.checkForUpdates;
  showQuietHours(notifications.quietHours ?? []);
  showRuleLists(notifications);
}

/** Wires the form's buttons once. */
export function setUpPreferences(onSaved: (settings: SettingsView) => void): void {
  setUpQuietHours();
  byId<HTMLFormElement>('preferences-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void save(onSaved);
  });
}

/** The form as a request, and the problems found before asking main (keyed as main would). */
function readForm(): {
  request: PreferencesInput;
  lists: Record<RuleListName, RuleListDraft>;
  errors: Record<string, string>;
} {
  const burst = Number(byId<HTMLInputElement>('p-burstThreshold').value);
  const quietHours = readQuietHours();
  const lists = readRuleLists();
  const errors = checkQuietHours(quietHours);
  if (!Number.isInteger(burst) || burst < 1 || burst > 1000) {
    errors['notifications.burstThreshold'] = 'Enter a whole number from 1 to 1000.';
  }
  // Empty lists are left out: absent and empty mean the same, and the settings stay short.
  const notifications: PreferencesInput['notifications'] = {
    burstThreshold: burst,
    sound: checkbox('p-sound').checked,
    showSubject: checkbox('p-showSubject').checked,
    ...(quietHours.length > 0 ? { quietHours } : {}),
  };
  for (const name of ruleLists) {
    if (lists[name].entries.length > 0) notifications[name] = lists[name].entries;
  }
  const request = {
    notifications,
    startAtLogin: checkbox('p-startAtLogin').checked,
    checkForUpdates,
  };
  return { request, lists, errors };
}

/**
 * Shows `errors` beside their fields, focuses the first, and returns those no field owns.
 * The burst threshold leads, then quiet hours, then the lists, as the form reads.
 */
function showErrors(
  errors: Record<string, string>,
  lists: Record<RuleListName, RuleListDraft>,
): { shown: boolean; unplaced: string[] } {
  const burst = errors['notifications.burstThreshold'] ?? '';
  setFieldError('p', 'burstThreshold', burst);
  const quiet = showQuietHoursErrors(errors);
  const rules = showRuleListErrors(errors, lists);
  const first = (burst ? byId('p-burstThreshold') : null) ?? quiet ?? rules;
  first?.focus();
  const owned = ['burstThreshold', 'quietHours', ...ruleLists].map(
    (name) => `notifications.${name}`,
  );
  const unplaced = Object.entries(errors)
    .filter(([key]) => !owned.some((prefix) => key === prefix || key.startsWith(`${prefix}.`)))
    .map(([key, message]) => `${key}: ${message}`);
  return { shown: first !== null, unplaced };
}

async function save(onSaved: (settings: SettingsView) => void): Promise<void> {
  const result = byId('preferences-result');
  const { request, lists, errors } = readForm();
  result.className = '';
  if (showErrors(errors, lists).shown) {
    result.className = 'failed';
    result.textContent = 'Not saved: correct the marked fields.';
    return;
  }
  result.textContent = 'Saving…';
  const response = await api.savePreferences(request);
  if (!response.ok) {
    const { shown, unplaced } = showErrors(response.error.fields, lists);
    result.className = 'failed';
    result.textContent =
      unplaced.length > 0
        ? `${response.error.message}: ${unplaced.join('; ')}`
        : shown
          ? 'Not saved: correct the marked fields.'
          : response.error.message;
    return;
  }
  result.textContent = 'Saved.';
  onSaved(response.value);
}
