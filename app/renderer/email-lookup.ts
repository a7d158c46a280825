/**
 * The account form's "Email address" first: main looks the address up (presets, autoconfig,
 * DNS) and the form is filled with what it found (server, security, port, user, sign-in kind,
 * webmail), saying where it came from. When nothing is found, "Manual settings" opens with the
 * reason. Only the latest lookup's answer is used: main aborts the ones before it.
 *
 * A server outside the address's domain that only DNS named (`needsConfirmation`, RFC 6186 §6)
 * fills nothing: the window shows it with the reason and asks, and only "Use this server"
 * puts it in the form.
 */
import type { AutoconfigView } from '../common/ipc-contract.js';
import { isHttpsUrl } from '../common/https-url.js';
import { api } from './api.js';
import { byId, setFieldError } from './dom.js';

// Owned here: which lookup is the latest (older answers are dropped), the address it was for,
// and what it filled in (so a later "not found" clears only what a lookup put there).
let latest = 0;
let lookedUp = '';
let filled: AutoconfigView | null = null;
// The answer waiting for the user's yes, and the address it is for.
let unconfirmed: { found: AutoconfigView; email: string } | null = null;

const input = (name: string) => byId<HTMLInputElement>(`f-${name}`);
const manual = () => byId<HTMLDetailsElement>('manual-settings');

/** Shaped like a whole address: something, "@", and a domain with a dot and a 2-letter end. */
export function looksLikeAddress(email: string): boolean {
  return /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[^\s@.]{2,}$/.test(email);
}

/** Wires "Continue", Enter in the address, and the lookup on leaving a whole address. */
export function setUpEmailLookup(onFilled: () => void): void {
  const email = input('email');
  byId('server-confirm-use').addEventListener('click', () => {
    if (!unconfirmed) return;
    const { found, email: address } = unconfirmed;
    hideConfirm();
    fill(found, address);
    onFilled();
    focusNext(found);
  });
  byId('server-confirm-manual').addEventListener('click', () => {
    if (!unconfirmed) return;
    const address = unconfirmed.email;
    hideConfirm();
    setStatus('', '');
    showManual(address, true);
  });
  byId('email-continue').addEventListener('click', () => void lookUp(onFilled, true));
  email.addEventListener('keydown', (event) => {
    // Enter here means "Continue", not "Save account".
    if (event.key !== 'Enter') return;
    event.preventDefault();
    void lookUp(onFilled, true);
  });
  email.addEventListener('change', () => {
    const value = email.value.trim();
    if (looksLikeAddress(value) && value !== lookedUp) void lookUp(onFilled, false);
  });
}

/** Starts the form over: the address step for a new account, the manual fields for an edit. */
export function showEmailStep(newAccount: boolean): void {
  latest++;
  lookedUp = '';
  filled = null;
  hideConfirm();
  byId('email-field').hidden = !newAccount;
  manual().open = !newAccount;
  input('email').value = '';
  setFieldError('f', 'email', '');
  setStatus('', '');
  byId('f-email-hint').textContent = '';
  byId('f-password-label').textContent = 'Password';
}

/** Opens "Manual settings" (e.g. to show an error beside one of its fields). */
export function openManualSettings(): void {
  manual().open = true;
}

async function lookUp(onFilled: () => void, moveFocus: boolean): Promise<void> {
  const email = input('email').value.trim();
  setFieldError('f', 'email', '');
  byId('f-email-hint').textContent = '';
  hideConfirm();
  if (!looksLikeAddress(email)) {
    setStatus('', '');
    setFieldError(
      'f',
      'email',
      email ? 'Enter a whole email address, such as ann@example.com.' : 'Enter your email address.',
    );
    if (moveFocus) input('email').focus();
    return;
  }
  const mine = ++latest;
  lookedUp = email;
  setStatus('Looking up settings…', 'waiting');
  const response = await api.autoconfigure(email);
  if (mine !== latest) return;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (!response.ok) {
    setStatus('', '');
    const reason = response.error.fields.email ?? response.error.message;
    setFieldError('f', 'email', `Settings for ${domain} could not be looked up (${reason}).`);
    showManual(email, moveFocus);
  } else if (!response.value) {
    setStatus(`We could not find settings for ${domain}: enter them below.`, '');
    showManual(email, moveFocus);
  } else if (response.value.needsConfirmation) {
    askToConfirm(response.value, email, moveFocus);
  } else {
    fill(response.value, email);
    onFilled();
    if (moveFocus) focusNext(response.value);
  }
}

function fill(found: AutoconfigView, email: string): void {
  filled = found;
  input('host').value = found.host;
  byId<HTMLSelectElement>('f-tls').value = found.tls;
  input('port').value = String(found.port);
  input('user').value = found.user ?? email;
  if (found.openUrl && isHttpsUrl(found.openUrl)) input('openUrl').value = found.openUrl;
  const auth = byId<HTMLSelectElement>('f-auth');
  auth.value = found.auth === 'oauth2' && found.oauth2Provider ? found.oauth2Provider : 'password';
  // The sign-in panel and the form's hints follow the choice as if the user had made it.
  auth.dispatchEvent(new Event('change'));
  byId('f-password-label').textContent =
    found.auth === 'app-password' ? 'App password' : 'Password';
  setStatus(found.sourceLabel.replace(/([^.])$/, '$1.'), 'ok');
  // Plain text, links included: the window opens no address from a lookup.
  byId('f-email-hint').textContent = found.hint ?? '';
}

function askToConfirm(found: AutoconfigView, email: string, moveFocus: boolean): void {
  unconfirmed = { found, email };
  // Nothing of this answer is in the form: Save cannot send a password there unasked.
  showManual(email, false);
  manual().open = false;
  setStatus(`${found.sourceLabel.replace(/([^.])$/, '$1.')} It needs your confirmation.`, '');
  byId('server-confirm-title').textContent = `Is ${found.host} your mail server?`;
  byId('server-confirm-reason').textContent =
    `${found.needsConfirmation ?? ''}. Use it only if your provider or administrator gave you this server; otherwise enter the server yourself.`;
  byId('server-confirm').hidden = false;
  if (moveFocus) byId('server-confirm-manual').focus();
}

function hideConfirm(): void {
  unconfirmed = null;
  byId('server-confirm').hidden = true;
}

function showManual(email: string, moveFocus: boolean): void {
  if (filled && input('host').value === filled.host) {
    input('host').value = '';
    input('port').value = '';
  }
  filled = null;
  if (!input('user').value.trim()) input('user').value = email;
  manual().open = true;
  if (moveFocus) input('host').focus();
}

function focusNext(found: AutoconfigView): void {
  if (found.auth === 'oauth2' && found.oauth2Provider) byId('sign-in').focus();
  else input('password').focus();
}

function setStatus(text: string, kind: '' | 'ok' | 'waiting'): void {
  const status = byId('f-email-status');
  status.textContent = text;
  status.className = `lookup-status${kind ? ` ${kind}` : ''}`;
}
