/** Notification preferences and start at login. */
import type { SettingsView } from '../common/ipc-contract.js';
import { api } from './api.js';
import { byId, setFieldError } from './dom.js';

/** Fills the form from settings. */
export function showPreferences(settings: SettingsView): void {
  byId<HTMLInputElement>('p-burst').value = String(settings.notifications.burstThreshold);
  byId<HTMLInputElement>('p-sound').checked = settings.notifications.sound;
  byId<HTMLInputElement>('p-showSubject').checked = settings.notifications.showSubject;
  byId<HTMLInputElement>('p-startAtLogin').checked = settings.startAtLogin;
}

/** Wires the form's submit. */
export function setUpPreferences(onSaved: (settings: SettingsView) => void): void {
  const form = byId<HTMLFormElement>('preferences-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save(onSaved);
  });
}

async function save(onSaved: (settings: SettingsView) => void): Promise<void> {
  const result = byId('preferences-result');
  const burst = Number(byId<HTMLInputElement>('p-burst').value);
  if (!Number.isInteger(burst) || burst < 1 || burst > 1000) {
    setFieldError('p', 'burstThreshold', 'Enter a whole number from 1 to 1000.');
    return;
  }
  setFieldError('p', 'burstThreshold', '');
  const response = await api.savePreferences({
    notifications: {
      burstThreshold: burst,
      sound: byId<HTMLInputElement>('p-sound').checked,
      showSubject: byId<HTMLInputElement>('p-showSubject').checked,
    },
    startAtLogin: byId<HTMLInputElement>('p-startAtLogin').checked,
  });
  if (!response.ok) {
    result.textContent = response.error.message;
    return;
  }
  result.textContent = 'Saved.';
  onSaved(response.value);
}
