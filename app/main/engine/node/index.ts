/**
 * The Node implementations of ports: the conf state store, system events from clock drift
 * and network interfaces, private JSON files.
 * Code outside this folder imports only from here.
 */
export { ConfStateStore } from './conf-state-store.js';
export { createNodeSystemEvents, type NodeSystemEventsOptions } from './node-system-events.js';
export {
  ensurePrivateDirectory,
  openJsonStore,
  PRIVATE_FILE_MODE,
  restrictToOwner,
} from './open-json-store.js';
