/**
 * The About section's channels: this build's version, where its log is, and its updates
 * (the status, "Check for updates", "Restart to update").
 */
import type { IpcHandlers } from './ipc-handlers.js';
import type { UpdateController } from './update-controller.js';

/** What the About handlers need. */
export interface AboutHandlerDeps {
  /** "0.1.0 (abc1234def56)". */
  version: string;
  logPath: string;
  updates: UpdateController;
}

/** The handlers of `about:get`, `update:check` and `update:restart`. */
export function createAboutHandlers(
  deps: AboutHandlerDeps,
): Pick<IpcHandlers, 'about:get' | 'update:check' | 'update:restart'> {
  return {
    'about:get': () => ({
      ok: true,
      value: { version: deps.version, logPath: deps.logPath, update: deps.updates.status() },
    }),
    'update:check': async () => ({ ok: true, value: await deps.updates.checkNow() }),
    'update:restart': () => ({ ok: true, value: { restarting: deps.updates.restartToUpdate() } }),
  };
}
