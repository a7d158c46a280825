/**
 * "Email address" first in the settings window: main turns the address into server settings
 * with the engine's resolver (presets, autoconfig XML, SRV, MX, a confirmed guess). One lookup
 * at a time: a newer request aborts the one before it, whose caller hears that it was replaced,
 * so a window typing quickly never has several lookups (HTTP fetches, DNS, probes) in flight.
 */
import type { AutoconfigView, Result } from '../../common/ipc-contract.js';
import type { IpcHandlers } from './ipc-handlers.js';

/** What the lookup needs from the app. */
export interface AutoconfigHandlerDeps {
  /** The engine's `resolveAccount`, stopping its work when `signal` aborts. */
  resolve(email: string, signal: AbortSignal): Promise<AutoconfigView | null>;
}

/** Said to the caller of a lookup that a newer one replaced. */
export const replacedMessage = 'the lookup was replaced by a newer one';

/** The handler of `account:autoconfigure`, and `cancel` for when the window closes. */
export function createAutoconfigHandlers(
  deps: AutoconfigHandlerDeps,
): Pick<IpcHandlers, 'account:autoconfigure'> & { cancel(): void } {
  // Owned here: the one lookup in flight, aborted by the next request or by `cancel`.
  let pending: AbortController | undefined;
  const cancel = () => pending?.abort(new Error(replacedMessage));
  return {
    cancel,
    'account:autoconfigure': async ({ email }): Promise<Result<AutoconfigView | null>> => {
      cancel();
      const controller = new AbortController();
      pending = controller;
      try {
        const found = await untilAborted(deps.resolve(email, controller.signal), controller.signal);
        return { ok: true, value: found };
      } catch (error) {
        const message = controller.signal.aborted
          ? replacedMessage
          : error instanceof Error
            ? error.message
            : String(error);
        return { ok: false, error: { code: 'failed', message, fields: {} } };
      } finally {
        if (pending === controller) pending = undefined;
      }
    },
  };
}

// The replaced caller is answered at once, even if the resolver is slow to notice its signal.
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
