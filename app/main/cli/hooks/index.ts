/**
 * New-mail hooks: one command per message or per burst, queued, bounded, killed on timeout.
 * Code outside this folder imports only from here.
 */
export { createHookRunner } from './hook-runner.js';
