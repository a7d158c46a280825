/** The engine's public surface, for the composition roots (`tidings watch`, Electron main). */
export { Supervisor, type SupervisorOptions } from './watch/supervisor.js';
export { ConfStateStore } from './node/conf-state-store.js';
export { ConnectGate } from './imap/connect-gate.js';
export { testConnection, type ConnectionTestOptions } from './check/test-connection.js';
export { TidingsError, classifyError, type ErrorCode } from './base/errors.js';
export {
  oauth2Credentials,
  passwordCredentials,
  type AccessTokenSource,
  type CredentialSource,
  type Credentials,
} from './base/credentials.js';
export {
  resolveOAuth2Endpoints,
  type BuiltInClients,
  type OAuth2Endpoints,
} from './auth/oauth2-providers.js';
export { OAuth2TokenSource, type OAuth2TokenSourceOptions } from './auth/oauth2-token-source.js';
export type { Announcement, NewMessage, NotificationText } from './base/announcement.js';
export { PopupPolicy, type Popup, type PopupEvent, type PopupHold } from './popups/popup-policy.js';
export { clickUrl, describePopup } from './popups/popup-text.js';
export { decidePopup, type NotificationRules } from './popups/notification-rules.js';
export { quietUntil, type QuietPeriod } from './popups/quiet-hours.js';
export {
  createPopupPolicy,
  currentHold,
  type PopupSettingsSource,
} from './popups/popup-settings.js';
export type {
  Clock,
  Logger,
  MailboxCursor,
  Notifier,
  SecretSource,
  StateStore,
  SystemEvents,
  SystemEventKind,
} from './base/ports.js';
