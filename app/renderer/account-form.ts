/**
 * Add or edit an account: checks what it can before asking main, tests the connection on
 * demand (showing success with the server's mailboxes, or the exact failure), and shows main's
 * validation errors beside their fields. The password field is never filled from main: a
 * stored password is only ever said to exist.
 */
import type { AccountInput, AccountView, SettingsView } from '../common/ipc-contract.js';
import { isHttpsUrl } from '../common/https-url.js';
import { api } from './api.js';
import { canonicalHost, describeFailure, newId } from './account-text.js';
import { showAccountEditor } from './accounts-panel.js';
import {
  hideCertificateOffer,
  setUpCertificateOffer,
  showCertificateOffer,
} from './certificate-offer.js';
import { byId, setFieldError } from './dom.js';
import { openManualSettings, setUpEmailLookup, showEmailStep } from './email-lookup.js';
import {
  authChoice,
  oauth2Fields,
  setUpSignIn,
  showSignIn,
  signInAccountChanged,
  startSignIn,
  type SignInHost,
} from './sign-in-panel.js';
import {
  allFoldersChosen,
  chosenMailboxes,
  chosenQuietMailboxes,
  focusMailboxes,
  renderMailboxes,
  resetMailboxes,
  setUpMailboxPicker,
} from './mailbox-picker.js';

const fields = [
  'name',
  'user',
  'password',
  'signIn',
  'clientId',
  'clientSecret',
  'host',
  'tls',
  'port',
  'openUrl',
  'caFile',
  'certificateFingerprint',
  'popups',
  'popupActions',
  'popupClick',
  'trashMailbox',
  'archiveMailbox',
  'mailboxes',
  'quietMailboxes',
] as const;
type FieldName = (typeof fields)[number];

/** What the form needs from the page. */
export interface AccountFormHost {
  accounts(): AccountView[];
  onSaved(settings: SettingsView): void;
  onClosed(): void;
}

let editing: AccountView | null = null;
let signInHost: SignInHost | undefined;
let formHost: AccountFormHost | undefined;
// True while "Test connection" waits for main: its progress replaces "Testing…".
let testing = false;

const input = (name: string) => byId<HTMLInputElement>(`f-${name}`);

/** Wires the form's buttons once. */
export function setUpAccountForm(host: AccountFormHost): void {
  formHost = host;
  byId<HTMLFormElement>('account-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void save(host);
  });
  byId('test-connection').addEventListener('click', () => void testConnection(host));
  byId('cancel-edit').addEventListener('click', () => close(host));
  byId<HTMLSelectElement>('f-tls').addEventListener('change', () => {
    hideCertificateOffer();
    updateSecurityHints();
    updatePasswordHint();
  });
  for (const name of ['host', 'port', 'user', 'caFile', 'certificateFingerprint'])
    input(name).addEventListener('input', updatePasswordHint);
  // An offered certificate belongs to the server it came from.
  for (const name of ['host', 'port', 'caFile', 'certificateFingerprint'])
    input(name).addEventListener('input', hideCertificateOffer);
  setUpCertificateOffer((fingerprint) => {
    // The user's choice, shown where it is kept: the Certificates section, filled and open.
    input('certificateFingerprint').value = fingerprint;
    byId<HTMLDetailsElement>('certificate-settings').open = true;
    updatePasswordHint();
    byId('test-connection').focus();
    void testConnection(host);
  });
  api.onTestProgress(({ message }) => {
    if (!testing) return;
    const result = byId('test-result');
    result.className = 'test-result waiting';
    result.textContent = message;
  });
  setUpMailboxPicker();
  setUpEmailLookup(() => {
    updateSecurityHints();
    updatePasswordHint();
  });
  signInHost = {
    request: () => {
      const { request, errors } = readForm(host);
      delete errors.signIn;
      return showErrors(errors) ? null : request;
    },
    onSignedIn: (settings, id) => {
      // Main saved the account with its sign-in: the form now edits that saved account.
      host.onSaved(settings);
      editing = settings.accounts.find((a) => a.id === id) ?? editing;
      signInAccountChanged(editing);
      if (editing) byId('editor-title').textContent = `Edit ${editing.name ?? editing.id}`;
    },
    onChoiceChanged: updatePasswordHint,
  };
  setUpSignIn(signInHost);
}

/** The list's "Sign in again": opens the account's form and starts its sign-in. */
export function signInAgain(account: AccountView): void {
  openAccountForm(account);
  if (signInHost) void startSignIn(signInHost);
}

/**
 * The list's "Check certificate" (a saved account stopped at an untrusted certificate): opens
 * its form and tests it, which shows the certificate and, where sound, "Trust this certificate".
 */
export function checkCertificate(account: AccountView): void {
  openAccountForm(account);
  byId<HTMLDetailsElement>('certificate-settings').open = true;
  if (formHost) void testConnection(formHost);
}

/** Opens the form for `account`, or empty for a new one (address first), and focuses it. */
export function openAccountForm(account: AccountView | null): void {
  editing = account;
  byId('editor-title').textContent = account ? `Edit ${account.name ?? account.id}` : 'Add account';
  input('name').value = account?.name ?? '';
  input('user').value = account?.user ?? '';
  input('password').value = '';
  input('host').value = account?.host ?? '';
  byId<HTMLSelectElement>('f-tls').value = account?.tls ?? 'implicit';
  input('port').value = account?.port ? String(account.port) : '';
  input('allowInsecureAuth').checked = account?.allowInsecureAuth ?? false;
  input('openUrl').value = account?.openUrl ?? '';
  input('caFile').value = account?.caFile ?? '';
  input('certificateFingerprint').value = account?.certificateFingerprint ?? '';
  input('popups').checked = account?.popups ?? true;
  showPopupActions(account);
  showEmailStep(account === null);
  showSignIn(account);
  resetMailboxes(
    account?.mailboxes ?? ['INBOX'],
    account?.quietMailboxes ?? [],
    account?.allMailboxes ?? false,
  );
  byId('mailbox-hint').hidden = false;
  byId('test-result').textContent = '';
  hideCertificateOffer();
  byId('form-error').textContent = '';
  for (const name of fields) setFieldError('f', name, '');
  updateSecurityHints();
  updatePasswordHint();
  showAccountEditor(true);
  input(account ? 'name' : 'email').focus();
}

function close(host: AccountFormHost): void {
  showAccountEditor(false);
  byId('add-account').focus();
  host.onClosed();
}

function updateSecurityHints(): void {
  const tls = byId<HTMLSelectElement>('f-tls').value;
  byId('insecure-field').hidden = tls !== 'none';
  input('port').placeholder = tls === 'implicit' ? '993' : '143';
}

/**
 * Whether the stored password may be kept: main sends it only to the server, port, security,
 * certificate trust and user it was saved for, so changing any of them asks for it again.
 * Main checks the same again; this only says so before the user presses Save.
 */
function storedPasswordApplies(): boolean {
  if (!editing?.hasPassword) return false;
  const tls = byId<HTMLSelectElement>('f-tls').value;
  const port = Number(input('port').value.trim()) || (tls === 'implicit' ? 993 : 143);
  const savedPort = editing.port ?? (editing.tls === 'implicit' ? 993 : 143);
  const pin = (value: string | undefined) => (value ?? '').replace(/:/g, '').toUpperCase();
  return (
    canonicalHost(input('host').value.trim()) === canonicalHost(editing.host) &&
    port === savedPort &&
    tls === editing.tls &&
    input('user').value.trim() === editing.user &&
    input('caFile').value.trim() === (editing.caFile ?? '') &&
    pin(input('certificateFingerprint').value.trim()) === pin(editing.certificateFingerprint)
  );
}

function updatePasswordHint(): void {
  input('password').placeholder = storedPasswordApplies()
    ? 'stored — leave empty to keep'
    : editing?.hasPassword
      ? 'server changed — enter the password again'
      : '';
}

/** The form as an `AccountInput`, and the problems found before asking main. */
function readForm(host: AccountFormHost): {
  request: AccountInput;
  errors: Partial<Record<FieldName, string>>;
} {
  const value = (name: string) => input(name).value.trim();
  const errors: Partial<Record<FieldName, string>> = {};
  const tls = byId<HTMLSelectElement>('f-tls').value as AccountInput['account']['tls'];
  const port = value('port');
  const password = input('password').value;
  if (!value('user')) errors.user = 'Enter the user name (often your email address).';
  if (!value('host')) errors.host = 'Enter the IMAP server, e.g. imap.example.com.';
  const auth = oauth2Fields();
  const signedIn =
    editing?.signedIn &&
    editing.oauth2?.provider === auth.oauth2?.provider &&
    editing.user === value('user');
  if (auth.oauth2 && !signedIn) {
    errors.signIn = editing?.signedIn
      ? 'The user or provider changed: sign in again.'
      : `Sign in first.`;
  }
  if (authChoice() === 'password' && !password && !storedPasswordApplies()) {
    errors.password = editing?.hasPassword
      ? 'The server, port, security, certificate or user changed: enter the password again.'
      : 'Enter the password.';
  }
  if (port && !/^\d{1,5}$/.test(port)) errors.port = 'Enter a port number, or leave it empty.';
  else if (port && (Number(port) < 1 || Number(port) > 65535))
    errors.port = 'Ports go from 1 to 65535.';
  if (tls === 'none' && !input('allowInsecureAuth').checked) {
    errors.tls =
      'Without encryption your password crosses the network readable: tick the box below to accept that.';
  }
  if (value('openUrl') && !isHttpsUrl(value('openUrl'))) {
    errors.openUrl = 'Enter a web address starting with https://.';
  }
  const all = allFoldersChosen();
  const mailboxes = all ? ['INBOX'] : chosenMailboxes();
  if (mailboxes.length === 0) errors.mailboxes = 'Choose at least one mailbox, or All folders.';
  const quietMailboxes = all ? [] : chosenQuietMailboxes();
  const optional = (name: string) => value(name) || undefined;
  const request: AccountInput = {
    ...(editing ? { originalId: editing.id } : {}),
    account: {
      id: editing?.id ?? newId(value('name') || value('user'), host.accounts()),
      name: optional('name'),
      host: value('host'),
      port: port ? Number(port) : undefined,
      tls,
      user: value('user'),
      password: (authChoice() === 'password' && password) || undefined,
      ...auth,
      mailboxes,
      allMailboxes: all || undefined,
      allowInsecureAuth: input('allowInsecureAuth').checked,
      openUrl: optional('openUrl'),
      caFile: optional('caFile'),
      certificateFingerprint: optional('certificateFingerprint'),
      // Left out when they say what absent says: popups on, no count-only mailboxes, the
      // default buttons, a click that opens, the server's own Trash and Archive.
      popups: input('popups').checked ? undefined : false,
      quietMailboxes: quietMailboxes.length > 0 ? quietMailboxes : undefined,
      ...chosenPopupActions(),
    },
  };
  return { request, errors };
}

/** The buttons a popup offers, in the order popups show them. */
const POPUP_ACTIONS = ['read', 'delete', 'archive'] as const;
const DEFAULT_ACTIONS = 'read,delete';

function showPopupActions(account: AccountView | null): void {
  const chosen = account?.popupActions ?? ['read', 'delete'];
  for (const action of POPUP_ACTIONS) input(`action-${action}`).checked = chosen.includes(action);
  byId<HTMLSelectElement>('f-popupClick').value = account?.popupClick ?? 'open';
  input('trashMailbox').value = account?.trashMailbox ?? '';
  input('archiveMailbox').value = account?.archiveMailbox ?? '';
  // Open where the account differs from the defaults, so what it has is seen.
  byId<HTMLDetailsElement>('popup-action-settings').open =
    (account?.popupActions !== undefined && account.popupActions.join(',') !== DEFAULT_ACTIONS) ||
    (account?.popupClick ?? 'open') !== 'open' ||
    Boolean(account?.trashMailbox || account?.archiveMailbox);
}

/** The popup buttons and click as the form says them, without what the defaults say. */
function chosenPopupActions(): Pick<
  AccountInput['account'],
  'popupActions' | 'popupClick' | 'trashMailbox' | 'archiveMailbox'
> {
  const actions = POPUP_ACTIONS.filter((action) => input(`action-${action}`).checked);
  const click = byId<HTMLSelectElement>('f-popupClick').value as 'open' | 'read' | 'none';
  const trash = input('trashMailbox').value.trim();
  const archive = input('archiveMailbox').value.trim();
  return {
    popupActions: actions.join(',') === DEFAULT_ACTIONS ? undefined : actions,
    popupClick: click === 'open' ? undefined : click,
    trashMailbox: trash || undefined,
    archiveMailbox: archive || undefined,
  };
}

function showErrors(errors: Partial<Record<string, string>>): boolean {
  let first: string | undefined;
  for (const name of fields) {
    const message = errors[name] ?? (name === 'name' ? errors.id : undefined) ?? '';
    setFieldError('f', name, message);
    if (message) first ??= name;
    if (message && (name === 'host' || name === 'tls' || name === 'port')) openManualSettings();
  }
  const popupField = ['popupActions', 'popupClick', 'trashMailbox', 'archiveMailbox'];
  if (first !== undefined && popupField.includes(first)) {
    byId<HTMLDetailsElement>('popup-action-settings').open = true;
  }
  if (first === 'mailboxes' || first === 'quietMailboxes') focusMailboxes();
  else if (first === 'popupActions') input('action-read').focus();
  else if (first === 'popupClick') byId('f-popupClick').focus();
  else if (first === 'signIn') byId('sign-in').focus();
  else if (first) input(first).focus();
  return first !== undefined;
}

async function testConnection(host: AccountFormHost): Promise<void> {
  const { request, errors } = readForm(host);
  delete errors.mailboxes;
  const result = byId('test-result');
  if (showErrors(errors)) {
    result.textContent = '';
    return;
  }
  const button = byId<HTMLButtonElement>('test-connection');
  button.disabled = true;
  hideCertificateOffer();
  result.className = 'test-result';
  result.textContent = 'Testing…';
  testing = true;
  const tested = serverKey();
  try {
    const response = await api.testAccount(request);
    if (!response.ok) {
      showErrors(response.error.fields);
      result.className = 'test-result failed';
      result.textContent = response.error.message;
      return;
    }
    const outcome = response.value;
    if (outcome.ok) {
      result.className = 'test-result ok';
      result.textContent = `Connected. ${outcome.mailboxes.length} mailboxes found.`;
      renderMailboxes(outcome.mailboxes);
      byId('mailbox-hint').hidden = true;
    } else {
      result.className = 'test-result failed';
      result.textContent = describeFailure(outcome.code, outcome.message);
      // Not if the server was changed meanwhile: the certificate is the old server's.
      if (outcome.certificate && serverKey() === tested) showCertificateOffer(outcome.certificate);
    }
  } finally {
    testing = false;
    button.disabled = false;
  }
}

// The fields that decide which server a test reached and how its certificate was judged.
function serverKey(): string {
  const tls = byId<HTMLSelectElement>('f-tls').value;
  return [
    input('host').value,
    input('port').value,
    tls,
    input('caFile').value,
    input('certificateFingerprint').value,
  ]
    .map((value) => value.trim())
    .join('\n');
}

async function save(host: AccountFormHost): Promise<void> {
  const { request, errors } = readForm(host);
  byId('form-error').textContent = '';
  if (showErrors(errors)) return;
  const response = await api.saveAccount(request);
  if (!response.ok) {
    showErrors(response.error.fields);
    byId('form-error').textContent = response.error.message;
    return;
  }
  host.onSaved(response.value);
  close(host);
}
