/**
 * How mailboxes are waited on: the supervisor, the IDLE and STATUS (NOTIFY or polling)
 * watchers, the resync, connection budgets and plans, backoff, the exactly-once announcer.
 * Code outside this folder imports only from here.
 */
export { connectionLimitFor, DEFAULT_MAX_CONNECTIONS } from './connection-budget.js';
export { Supervisor, type SupervisorOptions } from './supervisor.js';
