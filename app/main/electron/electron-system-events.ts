/**
 * `SystemEvents` in the desktop app: `powerMonitor`'s resume and (macOS, Windows) unlock-screen
 * are resumes,
 * suspend is passed on, and network changes come from the engine's interface poller (main
 * has no network-change event) together with `net.isOnline()`.
 */
import { net, powerMonitor } from 'electron';
import { createNodeSystemEvents } from '../engine/node/index.js';
import type { SystemEventKind, SystemEvents } from '../engine/index.js';

/** powerMonitor's screen-unlock event exists on macOS and Windows only (electron.d.ts). */
export function hasUnlockEvent(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

/**
 * System events for the engine; `close()` stops listening. Linux has no unlock event: there a
 * wake-up is powerMonitor's `resume` (logind's PrepareForSleep), and, should that not come,
 * the engine's timer-drift check.
 */
export function createElectronSystemEvents(
  platform: NodeJS.Platform = process.platform,
): SystemEvents & { close(): void } {
  const interfaces = createNodeSystemEvents();
  const listeners = new Set<(kind: SystemEventKind, detail: string) => void>();
  const emit = (kind: SystemEventKind, detail: string) => listeners.forEach((l) => l(kind, detail));
  const onResume = () => emit('resume', 'system resumed');
  const onUnlock = () => emit('resume', 'screen unlocked');
  const onSuspend = () => emit('suspend', 'system suspending');
  powerMonitor.on('resume', onResume);
  if (hasUnlockEvent(platform)) powerMonitor.on('unlock-screen', onUnlock);
  powerMonitor.on('suspend', onSuspend);
  const stopInterfaces = interfaces.onEvent((kind, detail) => emit(kind, detail));
  return {
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isOnline: () => net.isOnline() && interfaces.isOnline(),
    close() {
      powerMonitor.off('resume', onResume);
      if (hasUnlockEvent(platform)) powerMonitor.off('unlock-screen', onUnlock);
      powerMonitor.off('suspend', onSuspend);
      stopInterfaces();
      interfaces.close();
    },
  };
}
