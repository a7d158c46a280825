/**
 * What decides whether and how a popup shows: sender and list rules, quiet hours, the storm
 * policy, popup text and markup, and the buttons a popup offers and what a click on one does.
 * Code outside this folder imports only from here.
 */
export { escapeNotificationMarkup } from './notification-markup.js';
export { decidePopup, type NotificationRules } from './notification-rules.js';
export {
  type MessageKey,
  type Popup,
  type PopupEvent,
  type PopupHold,
  PopupPolicy,
  STORM_GAP_MS,
} from './popup-policy.js';
export { createPopupPolicy, currentHold, type PopupSettingsSource } from './popup-settings.js';
export { clickUrl, describePopup } from './popup-text.js';
export { type QuietPeriod, quietUntil } from './quiet-hours.js';
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
} from './popup-buttons.js';
