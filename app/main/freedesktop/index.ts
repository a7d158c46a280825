/**
 * Linux desktop popups over D-Bus (org.freedesktop.Notifications), for the desktop app and
 * `tidings watch` alike. It talks to the OS's session bus, so it lives beside the engine,
 * not in it (the engine stays platform-neutral); it uses the engine's popup types and knows
 * neither Electron nor the CLI.
 */
export { FreedesktopPopups, type FreedesktopPopup } from './freedesktop-popups.js';
export {
  MAX_TRACKED_POPUPS,
  NotificationsClient,
  type DesktopNotification,
  type HintValue,
  type NotificationsClientOptions,
} from './notifications-client.js';
export { connectTo, sessionBusAddress } from './session-bus.js';
