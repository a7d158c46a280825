/** The engine's public surface, for the composition roots (`tidings watch`, Electron main). */
export { Supervisor, type SupervisorOptions } from './supervisor.js';
export { ConfStateStore } from './conf-state-store.js';
export { ConnectGate } from './connect-gate.js';
export { testConnection, type ConnectionTestOptions } from './test-connection.js';
export { TidingsError, classifyError, type ErrorCode } from './errors.js';
export {
  oauth2Credentials,
  passwordCredentials,
  type AccessTokenSource,
  type CredentialSource,
  type Credentials,
} from './credentials.js';
export {
  resolveOAuth2Endpoints,
  type BuiltInClients,
  type OAuth2Endpoints,
} from './oauth2-providers.js';
export { OAuth2TokenSource, type OAuth2TokenSourceOptions } from './oauth2-token-source.js';
export type { Announcement, NewMessage, NotificationText } from './announcement.js';
export { PopupPolicy, type Popup, type PopupEvent, type PopupHold } from './popup-policy.js';
export { clickUrl, describePopup } from './popup-text.js';
export { decidePopup, type NotificationRules } from './notification-rules.js';
export { quietUntil, type QuietPeriod } from './quiet-hours.js';
export { createPopupPolicy, currentHold, type PopupSettingsSource } from './popup-settings.js';
export type {
  Clock,
  Logger,
  MailboxCursor,
  Notifier,
  SecretSource,
  StateStore,
  SystemEvents,
  SystemEventKind,
} from './ports.js';
