/**
 * Running `tidings watch` as a user service: systemd units and launchd agents.
 * Code outside this folder imports only from here.
 */
export { installLaunchd, statusLaunchd, uninstallLaunchd } from './service-launchd.js';
export { installSystemd, statusSystemd, uninstallSystemd } from './service-systemd.js';
export { ServicePathError, type WatchInvocation, windowsTaskCommand } from './service-units.js';
export { createServiceWorld, type ServiceWorld } from './service-world.js';
