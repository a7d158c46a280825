/** The engine's public surface, for the composition roots (`tidings watch`, Electron main). */
export { Supervisor, type SupervisorOptions } from './watch/index.js';
export {
  DEFAULT_POPUP_ACTIONS,
  MESSAGE_ACTIONS,
  wantedActions,
  type ActionOutcome,
  type MessageAction,
  type MessageAddress,
} from './act/index.js';
export { ConfStateStore } from './node/index.js';
export { ConnectGate, type EarlyConnections } from './imap/index.js';
export { testConnection, type ConnectionTestOptions } from './check/index.js';
export { TidingsError, classifyError, type ErrorCode } from './base/index.js';
export {
  oauth2Credentials,
  passwordCredentials,
  type AccessTokenSource,
  type CredentialSource,
  type Credentials,
} from './base/index.js';
export { resolveOAuth2Endpoints, type BuiltInClients, type OAuth2Endpoints } from './auth/index.js';
export {
  OAuth2TokenSource,
  type AccessGrant,
  type OAuth2TokenSourceOptions,
  type SharedTokens,
} from './auth/index.js';
export type { Announcement, MessageChange, NewMessage, NotificationText } from './base/index.js';
export {
  PopupPolicy,
  type MessageKey,
  type Popup,
  type PopupEvent,
  type PopupHold,
} from './popups/index.js';
export { clickUrl, describePopup, escapeNotificationMarkup } from './popups/index.js';
export {
  ACTION_TEXT,
  buttonsOf,
  clickAction,
  markAsRead,
  popupAccount,
  runButton,
  type ButtonRunDeps,
  type OfferedActions,
  type PopupAct,
  type PopupButton,
} from './popups/index.js';
export { decidePopup, type NotificationRules } from './popups/index.js';
export { quietUntil, type QuietPeriod } from './popups/index.js';
export { createPopupPolicy, currentHold, type PopupSettingsSource } from './popups/index.js';
export type {
  Clock,
  Logger,
  MailboxCursor,
  Notifier,
  SecretSource,
  StateStore,
  SystemEvents,
  SystemEventKind,
} from './base/index.js';
