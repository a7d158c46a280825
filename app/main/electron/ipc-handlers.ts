/**
 * ipcMain handlers for every invoke channel of the contract. Each call is checked twice before
 * a handler sees it: the sender must be our settings window's main frame, and the payload
 * must pass the channel's zod schema. Failures are typed `Result` errors; nothing throws
 * across IPC, and nothing a page sends can crash main.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import {
  invokeChannels,
  invokeSchemas,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponses,
  type RequestError,
} from '../../common/ipc-contract.js';
import { toPrintableLine } from '../../common/printable-line.js';

/** One handler per invoke channel, typed from the contract. */
export type IpcHandlers = {
  [C in InvokeChannel]: (
    request: InvokeRequest<C>,
  ) => Promise<InvokeResponses[C]> | InvokeResponses[C];
};

/** Registers every handler; returns a function that removes them. */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  handlers: IpcHandlers,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean,
): () => void {
  for (const channel of invokeChannels) {
    ipcMain.handle(channel, (event, payload: unknown) =>
      handle(channel, event, payload, handlers, isTrustedSender),
    );
  }
  return () => invokeChannels.forEach((channel) => ipcMain.removeHandler(channel));
}

async function handle<C extends InvokeChannel>(
  channel: C,
  event: IpcMainInvokeEvent,
  payload: unknown,
  handlers: IpcHandlers,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean,
): Promise<InvokeResponses[C] | { ok: false; error: RequestError }> {
  if (!isTrustedSender(event)) {
    return failure('invalid-request', `${channel}: refused a message from an unknown sender`);
  }
  const parsed = invokeSchemas[channel].safeParse(payload);
  if (!parsed.success) {
    // A Map, not an object: a field named "__proto__", "constructor" or "toString" must be
    // named too, and a plain object already has (inherits) those.
    const fields = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      // ["account", "port"] → "port": the form shows it beside the field. A key the channel
      // does not accept (passwordCommand from the window) is named as a field of its own.
      const at = issue.path.filter((p) => p !== 'account');
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...at, k]) : [at];
      for (const path of keys) {
        const field = path.join('.') || '(request)';
        if (!fields.has(field)) fields.set(field, toPrintableLine(issue.message));
      }
    }
    return {
      ok: false,
      error: {
        code: 'invalid-request',
        message: `${channel}: invalid request`,
        // Own keys, "__proto__" among them: fromEntries defines, it does not assign.
        fields: Object.fromEntries(fields),
      },
    };
  }
  try {
    return await handlers[channel](parsed.data as InvokeRequest<C>);
  } catch (error) {
    return failure('failed', error instanceof Error ? error.message : String(error));
  }
}

function failure(code: RequestError['code'], message: string): { ok: false; error: RequestError } {
  return { ok: false, error: { code, message, fields: {} } };
}
