/**
 * Checking an account: the step-by-step check (DNS, TCP, TLS, login, mailboxes) and the
 * settings window's "Test connection".
 * Code outside this folder imports only from here.
 */
export { type CheckStep, runAccountCheck } from './account-check.js';
export { ConnectionSteps } from './connection-steps.js';
export { type ConnectionTestOptions, testConnection } from './test-connection.js';
