/**
 * The preferences, spread over three sections and saved together by one "Save preferences":
 * Notifications (burst threshold, sound, privacy, preview; what the tray icon counts), Quiet
 * hours and rules (quiet hours, sender
 * and list rules) and About (start at login, automatic update checks). Checks what it can
 * before asking main and shows main's validation errors beside their fields, bringing the
 * section of the first forward; the sidebar marks the sections whose fields differ from what
 * was last saved.
 */
import type { PreferencesInput, SettingsView } from '../common/ipc-contract.js';
import { api } from './api.js';
import { byId, setFieldError } from './dom.js';
import { focusInSection, markUnsaved, type SectionName } from './settings-sections.js';
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

type PreferenceSection = Exclude<SectionName, 'accounts'>;
const preferenceSections: PreferenceSection[] = ['notifications', 'quiet-hours', 'about'];

// Each section's part of the request as last saved (or loaded), to compare the form with.
let saved: Record<PreferenceSection, string> | null = null;

/** Fills the form from settings. */
export function showPreferences(settings: SettingsView): void {
  const { notifications } = settings;
  byId<HTMLInputElement>('p-burstThreshold').value = String(notifications.burstThreshold);
  checkbox('p-sound').checked = notifications.sound;
  checkbox('p-showSubject').checked = notifications.showSubject;
  checkbox('p-preview').checked = notifications.preview;
  followShowSubject();
  checkbox('p-startAtLogin').checked = settings.startAtLogin;
  checkbox('p-checkForUpdates').checked = settings.checkForUpdates;
  byId<HTMLSelectElement>('p-trayCount').value = settings.tray.count;
  checkbox('p-countInIcon').checked = settings.tray.countInIcon;
  showQuietHours(notifications.quietHours ?? []);
  showRuleLists(notifications);
  saved = sectionParts(readForm().request);
  updateUnsavedMarks();
}

/** Wires the form's buttons once. */
export function setUpPreferences(onSaved: (settings: SettingsView) => void): void {
  setUpQuietHours();
  checkbox('p-showSubject').addEventListener('change', followShowSubject);
  const form = byId<HTMLFormElement>('preferences-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save(onSaved);
  });
  // Clicks too: adding or removing a quiet period changes the form without an input event.
  for (const type of ['input', 'change', 'click']) form.addEventListener(type, updateUnsavedMarks);
}

/**
 * The preview says more than the subject: with "Show sender and subject" off it is off too
 * (the engine's rule), so its checkbox is greyed out, keeping the choice for when it is back.
 */
function followShowSubject(): void {
  checkbox('p-preview').disabled = !checkbox('p-showSubject').checked;
}

/** Each section's part of `request`, comparable as text. */
function sectionParts(request: PreferencesInput): Record<PreferenceSection, string> {
  const { burstThreshold, sound, showSubject, preview, ...rules } = request.notifications;
  const { startAtLogin, checkForUpdates, tray } = request;
  return {
    notifications: JSON.stringify({ burstThreshold, sound, showSubject, preview, tray }),
    'quiet-hours': JSON.stringify(rules),
    about: JSON.stringify({ startAtLogin, checkForUpdates }),
  };
}

function updateUnsavedMarks(): void {
  if (!saved) return;
  const shown = sectionParts(readForm().request);
  for (const name of preferenceSections) markUnsaved(name, shown[name] !== saved[name]);
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
    preview: checkbox('p-preview').checked,
    ...(quietHours.length > 0 ? { quietHours } : {}),
  };
  for (const name of ruleLists) {
    if (lists[name].entries.length > 0) notifications[name] = lists[name].entries;
  }
  const request = {
    notifications,
    startAtLogin: checkbox('p-startAtLogin').checked,
    checkForUpdates: checkbox('p-checkForUpdates').checked,
    tray: {
      countInIcon: checkbox('p-countInIcon').checked,
      count: byId<HTMLSelectElement>('p-trayCount').value === 'new' ? 'new' : 'unread',
    } satisfies PreferencesInput['tray'],
  };
  return { request, lists, errors };
}

/**
 * Shows `errors` beside their fields, focuses the first (showing its section), and returns
 * those no field owns. The burst threshold leads, then quiet hours, then the lists, as the
 * sections read.
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
  if (first) focusInSection(first);
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
  result.className = 'ok';
  result.textContent = 'Saved.';
  onSaved(response.value);
}
