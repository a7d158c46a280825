/**
 * The `tidings` commands: watch, check, mailboxes, login, service.
 * Code outside this folder imports only from here.
 */
export { runCheck } from './check-command.js';
export { parseStepTimeout } from './check-setup.js';
export { runLogin } from './login-command.js';
export { runMailboxes } from './mailboxes-command.js';
export { runService } from './service-command.js';
export { runWatch } from './watch-command.js';
export { actArgs, checkActArgs } from './act-args.js';
export { runAct } from './act-command.js';
