/**
 * "Sign in with Google / Microsoft" in the desktop app: the engine's loopback PKCE flow
 * (`signIn`) with the system browser opened through `shell.openExternal`, one sign-in at a
 * time, cancellable from the window. The refresh token is encrypted before it is stored
 * beside the account; the window hears only the address and how it went.
 *
 * Only https authorization URLs are handed to the OS: `openExternal` gives any scheme to
 * whatever handles it, and a plain-http sign-in page could be read on the way. A custom
 * provider on loopback http (what the tests run) is refused here; `tidings login` serves it.
 */
import type { SignInOutcome } from '../../common/ipc-contract.js';
import { isHttpsUrl } from '../../common/https-url.js';
import { TidingsError } from '../engine/index.js';
import type { SignInOptions, SignInResult } from '../engine/auth/index.js';
import {
  resolveOAuth2Endpoints,
  type BuiltInClients,
  type OAuth2Endpoints,
} from '../engine/auth/index.js';
import type { IpcHandlers } from './ipc-handlers.js';
import type { SettingsStore } from './settings-store.js';

/** What sign-in needs from the app. */
export interface SignInHandlerDeps {
  store: SettingsStore;
  builtInClients: BuiltInClients;
  /** The engine's `signIn` (injected so tests can run it against a local provider). */
  signIn(options: SignInOptions): Promise<SignInResult>;
  openExternal(url: string): Promise<void>;
  encrypt(secret: string): string;
  /** Runs the engine with the new settings and retries the account's stopped watchers. */
  apply(accountId: string): Promise<void>;
  view(): ReturnType<SettingsStore['view']>;
  /** How long the user has in the browser (the engine's 5 minutes by default). */
  timeoutMs?: number;
}

type SignInHandlers = Pick<IpcHandlers, 'account:sign-in' | 'account:sign-in-cancel'>;

/** The handlers of `account:sign-in` and `account:sign-in-cancel`. */
export function createSignInHandlers(deps: SignInHandlerDeps): SignInHandlers {
  // Owned here: the one sign-in waiting on the browser, whose listener Cancel closes.
  let pending: AbortController | undefined;
  return {
    'account:sign-in': async (input) => {
      if (pending) return done(failed('busy', 'a sign-in is already waiting for the browser'));
      const { account } = input;
      let endpoints: OAuth2Endpoints;
      try {
        endpoints = resolveOAuth2Endpoints(
          account.oauth2 ?? { provider: 'custom' },
          deps.builtInClients,
        );
      } catch (error) {
        return done(failed('no-client', (error as Error).message));
      }
      const controller = new AbortController();
      pending = controller;
      try {
        const tokens = await deps.signIn({
          endpoints,
          loginHint: account.user,
          signal: controller.signal,
          ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
          onUrl: () => {},
          openBrowser: (url) => openBrowser(url, controller, deps.openExternal),
          // Entra matches http://localhost by host and path only (any port): the README's
          // registration; Google's desktop clients take the loopback IP.
          ...(account.oauth2?.provider === 'microsoft' ? { redirectHost: 'localhost' } : {}),
        });
        const token = {
          cipher: deps.encrypt(tokens.refreshToken),
          binding: { tokenUrl: endpoints.tokenUrl, clientId: endpoints.clientId },
        };
        const saved = deps.store.saveAccount(input, deps.encrypt, token);
        if (!saved.ok) return saved;
        await deps.apply(account.id);
        return done({ ok: true, address: account.user, settings: deps.view() });
      } catch (error) {
        return done(describeFailure(error, controller.signal));
      } finally {
        if (pending === controller) pending = undefined;
      }
    },
    'account:sign-in-cancel': () => {
      const waiting = pending;
      waiting?.abort(new TidingsError('config', cancelledMessage));
      return { ok: true, value: { cancelled: waiting !== undefined } };
    },
  };
}

function openBrowser(
  url: string,
  controller: AbortController,
  openExternal: (url: string) => Promise<void>,
): void {
  if (!isHttpsUrl(url)) {
    controller.abort(refusedUrl);
    return;
  }
  openExternal(url).catch((error: unknown) =>
    controller.abort(
      new TidingsError('config', 'no browser could be opened for the sign-in', { cause: error }),
    ),
  );
}

const cancelledMessage = 'the sign-in was cancelled';

const refusedUrl = new TidingsError(
  'config',
  'the sign-in address is not an https address: the app opens only https sign-in pages',
);

function describeFailure(error: unknown, signal: AbortSignal): SignInOutcome {
  if (error === refusedUrl) return failed('refused-url', refusedUrl.message);
  const message = error instanceof Error ? error.message : String(error);
  if (signal.reason === error && message === cancelledMessage) return failed('cancelled', message);
  if (error instanceof TidingsError && error.code === 'timeout') return failed('timeout', message);
  if (/\baccess_denied\b/.test(message)) return failed('denied', message);
  return failed('failed', message);
}

function failed(
  code: Exclude<SignInOutcome, { ok: true }>['code'],
  message: string,
): SignInOutcome {
  return { ok: false, code, message };
}

function done(outcome: SignInOutcome): { ok: true; value: SignInOutcome } {
  return { ok: true, value: outcome };
}
