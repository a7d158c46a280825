/**
 * The About section: this build's version and log file, and how its updates stand, with
 * "Check for updates" (not while updates are off) and, once an update is downloaded,
 * "Restart to update". Main pushes every change of the update status.
 */
import type { UpdateStatus } from '../common/ipc-contract.js';
import { api } from './api.js';
import { byId } from './dom.js';
import { describeUpdate, formatLocalTime } from './update-text.js';

/** Wires the buttons and the update events once, and fills the section from main. */
export async function setUpAbout(): Promise<void> {
  byId('check-updates').addEventListener('click', () => void checkNow());
  byId('restart-to-update').addEventListener('click', () => void restart());
  // The path is read-only text inside the preferences form: Enter there must not save them.
  byId('about-log-path').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') event.preventDefault();
  });
  api.onUpdate(showUpdate);
  const response = await api.getAbout();
  if (!response.ok) {
    showMessage(`The version and update status could not be read: ${response.error.message}`);
    return;
  }
  const { version, logPath, update } = response.value;
  byId('about-version').textContent = `Version ${version}`;
  byId<HTMLInputElement>('about-log-path').value = logPath;
  showUpdate(update);
}

function showUpdate(status: UpdateStatus): void {
  const { text, tone, canCheck, canRestart } = describeUpdate(status, formatLocalTime);
  showMessage(text, tone);
  byId<HTMLButtonElement>('check-updates').disabled = !canCheck;
  byId('restart-to-update').hidden = !canRestart;
}

function showMessage(text: string, tone: '' | 'ok' | 'failed' = 'failed'): void {
  const status = byId('update-status');
  status.textContent = text;
  status.className = `update-status${tone ? ` ${tone}` : ''}`;
}

async function checkNow(): Promise<void> {
  // Said at once; main's events follow the check (found, downloading, ready) as it goes.
  showUpdate({ state: 'checking' });
  const response = await api.checkForUpdates();
  if (response.ok) showUpdate(response.value);
  else showMessage(`Could not check for updates: ${response.error.message}`);
}

async function restart(): Promise<void> {
  const response = await api.restartToUpdate();
  if (!response.ok) showMessage(`Could not restart: ${response.error.message}`);
  else if (response.value.restarting) showMessage('Restarting to update…', 'ok');
  else showMessage('No downloaded update is waiting: check for updates again.');
}
