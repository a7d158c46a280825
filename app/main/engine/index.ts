/** The engine's public surface, for the composition roots (`tidings watch`, Electron main). */
export { Supervisor, type SupervisorOptions } from './supervisor.js';
export { ConfStateStore } from './conf-state-store.js';
export { ConnectGate } from './connect-gate.js';
export { testConnection, type ConnectionTestOptions } from './test-connection.js';
export { TidingsError, classifyError, type ErrorCode } from './errors.js';
export { describeAnnouncement, type Announcement, type NewMessage } from './announcement.js';
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
