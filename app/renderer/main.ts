/**
 * The settings window: wires the sidebar's sections and the forms, loads settings, statuses
 * and the About section, and keeps the account list live.
 */
import type { SettingsView, StatusView } from '../common/ipc-contract.js';
import { setUpAbout } from './about-panel.js';
import { renderAccounts } from './accounts-panel.js';
import {
  checkCertificate,
  openAccountForm,
  setUpAccountForm,
  signInAgain,
} from './account-form.js';
import { api } from './api.js';
import { byId } from './dom.js';
import { setUpPreferences, showPreferences } from './preferences-panel.js';
import { setUpSections } from './settings-sections.js';

let settings: SettingsView | null = null;
let statuses: StatusView[] = [];

function showWarning(id: string, text: string | null): void {
  const warning = byId(id);
  warning.hidden = !text;
  warning.textContent = text ?? '';
}

function render(): void {
  if (!settings) return;
  showWarning('storage-warning', settings.secretStorageWarning);
  // A desktop without tray icons: the window is the app, and says why it stays.
  showWarning('tray-warning', settings.trayWarning ?? null);
  renderAccounts(settings.accounts, statuses, {
    edit: (account) => openAccountForm(account),
    signInAgain,
    checkCertificate,
    remove: async (account) => {
      const response = await api.removeAccount(account.id);
      if (response.ok) update(response.value);
    },
  });
}

// An account saved or removed leaves the preferences form as it is: edits not yet saved there
// (a quiet period being typed in) must not vanish.
function update(next: SettingsView): void {
  settings = next;
  render();
}

function updateAll(next: SettingsView): void {
  update(next);
  showPreferences(next);
}

async function start(): Promise<void> {
  setUpSections();
  setUpAccountForm({
    accounts: () => settings?.accounts ?? [],
    onSaved: update,
    onClosed: render,
  });
  setUpPreferences(updateAll);
  byId('add-account').addEventListener('click', () => openAccountForm(null));
  api.onStatus((next) => {
    statuses = next;
    render();
  });
  const [loaded, current] = await Promise.all([api.getSettings(), api.getStatus(), setUpAbout()]);
  if (current.ok) statuses = current.value;
  if (loaded.ok) updateAll(loaded.value);
  if (loaded.ok && loaded.value.accounts.length === 0) openAccountForm(null);
}

void start();
