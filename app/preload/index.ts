/**
 * The settings window's only door to main: the typed API of app/common's IPC contract,
 * exposed through contextBridge. It imports types only, so the sandboxed bundle holds
 * nothing but these few functions.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  AccountInput,
  EventPayloads,
  InvokeChannel,
  InvokeRequest,
  InvokeResponses,
  PreferencesInput,
} from '../common/ipc-contract.js';

function invoke<C extends InvokeChannel>(
  channel: C,
  request?: InvokeRequest<C>,
): Promise<InvokeResponses[C]> {
  return ipcRenderer.invoke(channel, request) as Promise<InvokeResponses[C]>;
}

/** What the renderer can ask of main. */
export const tidingsApi = {
  getSettings: () => invoke('settings:get'),
  getStatus: () => invoke('status:get'),
  saveAccount: (input: AccountInput) => invoke('account:save', input),
  removeAccount: (id: string) => invoke('account:remove', { id }),
  testAccount: (input: AccountInput) => invoke('account:test', input),
  savePreferences: (input: PreferencesInput) => invoke('preferences:save', input),
  /** Signs an OAuth2 account in through the system browser (and saves it); never a token. */
  signIn: (input: AccountInput) => invoke('account:sign-in', input),
  cancelSignIn: () => invoke('account:sign-in-cancel'),
  /** Server settings for an address (presets, autoconfig, DNS); a newer call replaces this one. */
  autoconfigure: (email: string) => invoke('account:autoconfigure', { email }),
  /** This build's version, its log file's path, and how its updates stand. */
  getAbout: () => invoke('about:get'),
  /** Checks for an update now and answers with the outcome; `onUpdate` follows its progress. */
  checkForUpdates: () => invoke('update:check'),
  /** Quits and installs the downloaded update; `restarting` is false when none waits. */
  restartToUpdate: () => invoke('update:restart'),
  /** Calls `listener` with every watcher's status whenever one changes; returns unsubscribe. */
  onStatus(listener: (statuses: EventPayloads['status:changed']) => void): () => void {
    const handler = (_event: IpcRendererEvent, statuses: EventPayloads['status:changed']) =>
      listener(statuses);
    ipcRenderer.on('status:changed', handler);
    return () => ipcRenderer.off('status:changed', handler);
  },
  /** Calls `listener` with what a running "Test connection" waits for; returns unsubscribe. */
  onTestProgress(listener: (progress: EventPayloads['account:test-progress']) => void): () => void {
    const handler = (_event: IpcRendererEvent, progress: EventPayloads['account:test-progress']) =>
      listener(progress);
    ipcRenderer.on('account:test-progress', handler);
    return () => ipcRenderer.off('account:test-progress', handler);
  },
  /** Calls `listener` with the update status whenever it changes; returns unsubscribe. */
  onUpdate(listener: (status: EventPayloads['update:changed']) => void): () => void {
    const handler = (_event: IpcRendererEvent, status: EventPayloads['update:changed']) =>
      listener(status);
    ipcRenderer.on('update:changed', handler);
    return () => ipcRenderer.off('update:changed', handler);
  },
};

/** The API's type, from which the renderer's `window.tidings` is typed. */
export type TidingsApi = typeof tidingsApi;

contextBridge.exposeInMainWorld('tidings', tidingsApi);
