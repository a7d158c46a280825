/**
 * The account form's "Sign in with Google / Microsoft": which way the account signs in, the
 * sign-in itself (main opens the browser and waits; the window shows that, with Cancel), and
 * the outcome in words. The window never holds a token: main answers with the address only.
 */
import type {
  AccountInput,
  AccountView,
  SettingsView,
  SignInOutcome,
} from '../common/ipc-contract.js';
import { api } from './api.js';
import { byId, setFieldError } from './dom.js';

/** How the form's account signs in. */
export type AuthChoice = 'password' | 'google' | 'microsoft';

const providerName: Record<Exclude<AuthChoice, 'password'>, string> = {
  google: 'Google',
  microsoft: 'Microsoft',
};

// Where each provider's IMAP server is: filled in when the host is still empty.
const imapHost: Record<Exclude<AuthChoice, 'password'>, string> = {
  google: 'imap.gmail.com',
  microsoft: 'outlook.office365.com',
};

/** What the panel needs from the form. */
export interface SignInHost {
  /** The form as a request, or null when a field must be fixed first (the form shows it). */
  request(): AccountInput | null;
  onSignedIn(settings: SettingsView, accountId: string): void;
  onChoiceChanged(): void;
}

// Owned here: the account the form edits, as far as its sign-in goes.
let current: AccountView | null = null;
let waiting = false;

const choice = () => byId<HTMLSelectElement>('f-auth');
const clientInput = (name: 'clientId' | 'clientSecret') => byId<HTMLInputElement>(`f-${name}`);

/** The chosen way to sign in. */
export function authChoice(): AuthChoice {
  return choice().value as AuthChoice;
}

/** The account's `auth` and `oauth2` fields as the form sends them. */
export function oauth2Fields(): Pick<AccountInput['account'], 'auth' | 'oauth2'> {
  const chosen = authChoice();
  if (chosen === 'password') return {};
  const clientId = clientInput('clientId').value.trim();
  const clientSecret = clientInput('clientSecret').value;
  return {
    auth: 'oauth2',
    oauth2: {
      provider: chosen,
      ...(clientId ? { clientId } : {}),
      ...(clientId && clientSecret ? { clientSecret } : {}),
    },
  };
}

/** Wires the panel's controls once. */
export function setUpSignIn(host: SignInHost): void {
  choice().addEventListener('change', () => {
    const chosen = authChoice();
    const hostField = byId<HTMLInputElement>('f-host');
    if (chosen !== 'password' && !hostField.value.trim()) hostField.value = imapHost[chosen];
    renderChoice();
    host.onChoiceChanged();
  });
  byId('sign-in').addEventListener('click', () => void startSignIn(host));
  byId('cancel-sign-in').addEventListener('click', () => void api.cancelSignIn());
}

/** Shows how `account` signs in (or the default for a new one). */
export function showSignIn(account: AccountView | null): void {
  current = account;
  const provider = account?.auth === 'oauth2' ? account.oauth2?.provider : undefined;
  choice().value = provider === 'google' || provider === 'microsoft' ? provider : 'password';
  clientInput('clientId').value = account?.oauth2?.clientId ?? '';
  clientInput('clientSecret').value = '';
  clientInput('clientSecret').placeholder = account?.hasClientSecret
    ? 'stored — leave empty to keep'
    : '';
  byId<HTMLDetailsElement>('own-client').open = Boolean(account?.oauth2?.clientId);
  setFieldError('f', 'signIn', '');
  renderChoice();
  setStatus(
    account?.signedIn ? `Signed in as ${account.user}.` : 'Not signed in yet.',
    account?.signedIn ? 'ok' : '',
  );
}

function renderChoice(): void {
  const chosen = authChoice();
  const oauth2 = chosen !== 'password';
  byId('password-field').hidden = oauth2;
  byId('sign-in-panel').hidden = !oauth2;
  if (!oauth2) return;
  const name = providerName[chosen];
  byId('sign-in-title').textContent = `Sign in with ${name}`;
  const signedIn = current?.signedIn && current.oauth2?.provider === chosen;
  byId('sign-in').textContent = signedIn ? 'Sign in again' : `Sign in with ${name}`;
  if (waiting) return;
  if (signedIn) setStatus(`Signed in as ${current?.user ?? ''}.`, 'ok');
  else setStatus('Not signed in yet.', '');
}

/** Starts a sign-in for the form's account ("Sign in" here, or the list's "Sign in again"). */
export async function startSignIn(host: SignInHost): Promise<void> {
  if (waiting) return;
  const request = host.request();
  if (!request) return;
  const button = byId<HTMLButtonElement>('sign-in');
  const cancel = byId<HTMLButtonElement>('cancel-sign-in');
  waiting = true;
  button.disabled = true;
  choice().disabled = true;
  cancel.hidden = false;
  setFieldError('f', 'signIn', '');
  setStatus('Waiting for the browser… Finish signing in there, or cancel.', 'waiting');
  cancel.focus();
  try {
    const response = await api.signIn(request);
    if (!response.ok) {
      showFailure(response.error.message);
      return;
    }
    const outcome = response.value;
    if (outcome.ok) {
      host.onSignedIn(outcome.settings, request.account.id);
      setStatus(`Signed in as ${outcome.address}.`, 'ok');
    } else {
      showFailure(describeSignInFailure(outcome));
    }
  } finally {
    waiting = false;
    button.disabled = false;
    choice().disabled = false;
    cancel.hidden = true;
    renderChoice();
    button.focus();
  }
}

/** Called by the form when main saved the account it edits. */
export function signInAccountChanged(account: AccountView | null): void {
  current = account;
}

function showFailure(message: string): void {
  setFieldError('f', 'signIn', message);
}

/** The words for a failed sign-in. */
export function describeSignInFailure(outcome: Exclude<SignInOutcome, { ok: true }>): string {
  switch (outcome.code) {
    case 'no-client':
      byId<HTMLDetailsElement>('own-client').open = true;
      return (
        'This build of Tidings has no OAuth client for this provider. Register your own client ' +
        '(Tidings’ documentation, “Gmail and Microsoft 365”: docs/gmail-and-microsoft-365.md) and ' +
        'enter its client id under “Use your own OAuth client”.'
      );
    case 'denied':
      return 'The sign-in was refused in the browser (access denied): sign in again and allow Tidings to read your mail.';
    case 'timeout':
      return 'The sign-in was not finished in the browser in time: sign in again.';
    case 'cancelled':
      return 'Sign-in cancelled.';
    case 'busy':
      return 'Another sign-in is waiting for the browser: finish or cancel it first.';
    default:
      return `Sign-in failed: ${outcome.message}`;
  }
}

function setStatus(text: string, kind: '' | 'ok' | 'waiting'): void {
  const status = byId('sign-in-status');
  status.textContent = text;
  status.className = `sign-in-status${kind ? ` ${kind}` : ''}`;
}
