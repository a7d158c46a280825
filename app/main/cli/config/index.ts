/**
 * The config file: loading and validating it, email-only accounts resolved, reloads, the
 * state directory, system events from the environment.
 * Code outside this folder imports only from here.
 */
export { accountResolverFromEnv } from './autoconfig-env.js';
export { createConfigReload } from './config-reload.js';
export { ConfigError } from './config-error.js';
export { loadConfigResolved } from './load-config.js';
export { type AccountResolver } from './resolve-emails.js';
export { resolveStateDir } from './state-dir.js';
export { systemEventsOptionsFromEnv } from './system-events-env.js';
