/** Actions on one announced message (issue 24): Mark as read, Delete, Archive. */
export {
  MESSAGE_ACTIONS,
  targetOf,
  type ActionTarget,
  type MessageAction,
} from './action-target.js';
export { actOnMessage, type ActionOutcome, type MessageAddress } from './message-action.js';
export {
  BORROW_WAIT_MS,
  listMailboxesOf,
  runAction,
  runActions,
  type ActionRunnerDeps,
} from './action-runner.js';
export { ActionOffers, DEFAULT_POPUP_ACTIONS, wantedActions } from './action-offers.js';
