/**
 * The preload's bridge against a mocked `electron`: each method invokes its contract channel,
 * and each `onX` subscribes to its event and unsubscribes again.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: {
    invoke: vi.fn(async (channel: string) => ({ ok: true, value: channel })),
    on: vi.fn(),
    off: vi.fn(),
  },
}));
vi.mock('electron', () => electron);

const { tidingsApi } = await import('../../app/preload/index.js');

beforeEach(() => {
  electron.ipcRenderer.invoke.mockClear();
  electron.ipcRenderer.on.mockClear();
  electron.ipcRenderer.off.mockClear();
});

describe('the preload bridge', () => {
  it('exposes the API to the window as `tidings`', () => {
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledWith('tidings', tidingsApi);
  });

  it("asks main for the About section's data, a check, and a restart on their channels", async () => {
    await tidingsApi.getAbout();
    await tidingsApi.checkForUpdates();
    await tidingsApi.restartToUpdate();
    expect(electron.ipcRenderer.invoke.mock.calls).toEqual([
      ['about:get', undefined],
      ['update:check', undefined],
      ['update:restart', undefined],
    ]);
  });

  it('passes update events to the listener, without the IPC event, until unsubscribed', () => {
    const listener = vi.fn();
    const unsubscribe = tidingsApi.onUpdate(listener);
    const [[channel, handler]] = electron.ipcRenderer.on.mock.calls as [
      [string, (event: unknown, status: unknown) => void],
    ];
    expect(channel).toBe('update:changed');
    handler({ sender: 'main' }, { state: 'ready', version: '1.4.0' });
    expect(listener).toHaveBeenCalledWith({ state: 'ready', version: '1.4.0' });
    unsubscribe();
    expect(electron.ipcRenderer.off).toHaveBeenCalledWith('update:changed', handler);
  });
});
