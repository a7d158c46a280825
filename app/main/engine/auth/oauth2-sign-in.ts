/**
 * Signing in with OAuth2 in the system browser (RFC 8252): the authorization code flow with
 * PKCE S256 (RFC 7636), redirected to a one-shot listener on the loopback interface at a
 * random port (§7.3), `state` checked, and a small page telling the user how it went. The
 * listener is closed on every way out: success, failure, abort and timeout. Plain Node, for
 * `tidings login` and the desktop app alike.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { TidingsError } from '../base/index.js';
import { isLoopbackAddressOrLocalhost } from '../base/index.js';
import type { OAuth2Endpoints } from './oauth2-providers.js';
import { sanitizeServerText } from '../base/index.js';
import { withoutIdToken } from './oauth2-response.js';

/** What `signIn` needs; `onUrl` receives the address to open, before any browser is tried. */
export interface SignInOptions {
  endpoints: OAuth2Endpoints;
  /** The address the user signs in as (`login_hint`): the provider prefills it. */
  loginHint?: string;
  onUrl(url: string): void;
  openBrowser?(url: string): void;
  /** Aborting rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How long the user has to finish in the browser (5 minutes by default). */
  timeoutMs?: number;
  /**
   * Where the browser comes back: the loopback IP `127.0.0.1` at `/callback` (RFC 8252 §8.3,
   * the default), or `localhost` at `/` for a client registered with `http://localhost`
   * (Entra matches such a URI by host and path, ignoring only the port).
   */
  redirectHost?: '127.0.0.1' | 'localhost';
}

/** The tokens of a finished sign-in. */
export interface SignInResult {
  refreshToken: string;
  accessToken: string;
  expiresIn?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Runs one sign-in; rejects with a `TidingsError` (or the abort reason) on every failure. */
export async function signIn(options: SignInOptions): Promise<SignInResult> {
  const { endpoints } = options;
  checkEndpoint(endpoints.authorizationUrl, 'authorization');
  checkEndpoint(endpoints.tokenUrl, 'token');
  options.signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, timeout.signal])
    : timeout.signal;
  const localhost = options.redirectHost === 'localhost';
  const callback = await listenForCallback(localhost ? '/' : '/callback', localhost);
  // Armed once the listener exists, so a failure to listen leaves no timer behind.
  const timer = setTimeout(() => timeout.abort(timedOut(timeoutMs)), timeoutMs);
  try {
    const redirectUri = `http://${localhost ? 'localhost' : '127.0.0.1'}:${callback.port}${callback.path}`;
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(endpoints.authorizationUrl);
    const params = {
      ...endpoints.authorizeParams,
      client_id: endpoints.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: endpoints.scope,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(options.loginHint ? { login_hint: options.loginHint } : {}),
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    options.onUrl(url.href);
    options.openBrowser?.(url.href);
    const answer = await callback.wait(state, signal);
    try {
      const tokens = await redeemCode(endpoints, answer.params, redirectUri, verifier, signal);
      await answer.respond(200, renderSignInPage({ ok: true }));
      return tokens;
    } catch (error) {
      await answer.respond(400, renderSignInPage({ ok: false, reason: describe(error) }));
      throw error;
    }
  } finally {
    clearTimeout(timer);
    await callback.close();
  }
}

interface CallbackAnswer {
  params: URLSearchParams;
  respond(status: number, page: string): Promise<void>;
}

interface CallbackListener {
  port: number;
  path: string;
  /** Resolves with the first request to `path` that carries `state`; others are refused. */
  wait(state: string, signal: AbortSignal): Promise<CallbackAnswer>;
  close(): Promise<void>;
}

/**
 * The one-shot listener. `bothLoopbacks` (a redirect to http://localhost) listens on
 * [::1] as well, at the same port: a browser may try ::1 first for "localhost", and another
 * local user's listener there would receive the code and state (PKCE stops its redemption,
 * not a block or a phishing page). A port whose ::1 side is taken is given up for another;
 * after a few, the sign-in fails saying so.
 */
async function listenForCallback(path: string, bothLoopbacks = false): Promise<CallbackListener> {
  let onCallback: ((answer: CallbackAnswer, state: string | null) => boolean) | undefined;
  const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const respond = (status: number, page: string) =>
      new Promise<void>((resolve) => {
        // The browser may be gone already (a closed tab): there is nobody to show a page to.
        if (response.destroyed || !response.socket || response.socket.destroyed) {
          resolve();
          return;
        }
        response.writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
          'referrer-policy': 'no-referrer',
          connection: 'close',
        });
        // 'close' as well as the end callback: a browser that hung up before the page was
        // written never calls the latter (Node 20), and the sign-in must not wait on it.
        response.once('close', () => resolve());
        response.end(page, () => resolve());
      });
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== path) {
      void respond(404, renderSignInPage({ ok: false, reason: 'nothing here' }));
      return;
    }
    const answer = { params: url.searchParams, respond };
    // A wrong or missing state is not this sign-in's answer (a stale tab, or a forged
    // request: RFC 6749 §10.12): refused, and the real one still awaited.
    if (!onCallback?.(answer, url.searchParams.get('state'))) {
      void respond(
        400,
        renderSignInPage({ ok: false, reason: 'this is not the sign-in Tidings is waiting for' }),
      );
    }
  };
  const servers = await listenOnLoopback(handle, bothLoopbacks);
  const closed = Promise.all(
    servers.map((server) => new Promise<void>((resolve) => server.once('close', () => resolve()))),
  );
  return {
    port: ((servers[0] as http.Server).address() as AddressInfo).port,
    path,
    wait: (state, signal) =>
      new Promise<CallbackAnswer>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        onCallback = (answer, given) => {
          if (given !== state) return false;
          onCallback = undefined;
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
          return true;
        };
      }),
    async close() {
      onCallback = undefined;
      for (const server of servers) {
        server.close();
        // Browsers keep connections alive; every page has been written by now.
        server.closeAllConnections();
      }
      await closed;
    },
  };
}

/** Ports tried for a free pair on 127.0.0.1 and [::1] before the sign-in gives up. */
const PORT_ATTEMPTS = 5;

/** Listens on 127.0.0.1 at a free port, and on [::1] at the same one when asked. */
async function listenOnLoopback(
  handle: http.RequestListener,
  bothLoopbacks: boolean,
): Promise<http.Server[]> {
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const v4 = http.createServer(handle);
    await listen(v4, 0, '127.0.0.1');
    if (!bothLoopbacks) return [v4];
    const port = (v4.address() as AddressInfo).port;
    const v6 = http.createServer(handle);
    try {
      await listen(v6, port, '::1');
      return [v4, v6];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No IPv6 loopback here: a browser cannot reach [::1] either, nor anyone listen there.
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return [v4];
      v4.close();
      if (code !== 'EADDRINUSE') throw error;
    }
  }
  throw new TidingsError(
    'network',
    `another program holds [::1] at every port tried for the sign-in's http://localhost ` +
      'redirect: the browser could be sent there, so the sign-in does not start',
  );
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function redeemCode(
  endpoints: OAuth2Endpoints,
  callbackParams: URLSearchParams,
  redirectUri: string,
  verifier: string,
  signal: AbortSignal,
): Promise<SignInResult> {
  const as: oauth.AuthorizationServer = {
    // No discovery: this only names the server; `iss` is dropped below.
    issuer: new URL(endpoints.tokenUrl).origin,
    authorization_endpoint: endpoints.authorizationUrl,
    token_endpoint: endpoints.tokenUrl,
  };
  const client: oauth.Client = { client_id: endpoints.clientId };
  const auth = endpoints.clientSecret
    ? oauth.ClientSecretPost(endpoints.clientSecret)
    : oauth.None();
  const params = new URLSearchParams(callbackParams);
  // RFC 9207's `iss` (Google sends it) guards a client of several servers against mix-up;
  // this listener serves one server only, and a custom provider's issuer is not known.
  params.delete('iss');
  try {
    const validated = oauth.validateAuthResponse(as, client, params, oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      validated,
      redirectUri,
      verifier,
      { signal, [oauth.allowInsecureRequests]: isLoopbackUrl(endpoints.tokenUrl) },
    );
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await withoutIdToken(response),
    );
    if (!tokens.refresh_token) {
      throw new TidingsError('auth', 'the provider gave no refresh token (offline access refused)');
    }
    return {
      refreshToken: tokens.refresh_token,
      accessToken: tokens.access_token,
      ...(tokens.expires_in !== undefined ? { expiresIn: tokens.expires_in } : {}),
    };
  } catch (error) {
    throw signal.aborted ? signal.reason : classifySignInError(error);
  }
}

/** A sign-in failure as a `TidingsError`: the provider's error code named, never a token. */
function classifySignInError(error: unknown): unknown {
  if (error instanceof TidingsError) return error;
  if (error instanceof oauth.AuthorizationResponseError) {
    return new TidingsError('auth', `the provider refused the sign-in: ${providerError(error)}`, {
      cause: error,
    });
  }
  if (error instanceof oauth.ResponseBodyError) {
    const code =
      error.status >= 500 ? 'network' : error.error === 'invalid_client' ? 'config' : 'auth';
    return new TidingsError(code, `the token endpoint answered ${providerError(error)}`, {
      cause: error,
    });
  }
  if (error instanceof TypeError) {
    return new TidingsError('network', 'could not reach the token endpoint', { cause: error });
  }
  return new TidingsError(
    'protocol',
    `unexpected answer from the provider: ${sanitizeServerText((error as Error).message)}`,
    { cause: error },
  );
}

function providerError(error: { error: string; error_description?: string | undefined }): string {
  const description = sanitizeServerText(error.error_description ?? '');
  return sanitizeServerText(error.error) + (description ? ` (${description})` : '');
}

function describe(error: unknown): string {
  return error instanceof TidingsError ? error.message : 'the sign-in was cancelled';
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** The page the browser shows at the end: what happened, never a token. */
function renderSignInPage(outcome: { ok: true } | { ok: false; reason: string }): string {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => escapes[c] ?? c);
  const [title, text] = outcome.ok
    ? ['Signed in', 'Tidings has what it needs. You can close this tab.']
    : ['Sign-in failed', `${escape(outcome.reason)}. Close this tab and try again from Tidings.`];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tidings: ${title}</title>
<meta name="color-scheme" content="light dark">
<style>body{font:16px system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em;color:#1d1d1f;background:#fff}@media (prefers-color-scheme:dark){body{color:#f2f2f7;background:#1c1c1e}}</style>
</head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;
}

function timedOut(ms: number): TidingsError {
  const minutes = Math.round(ms / 60_000);
  const span =
    minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} s`;
  return new TidingsError('timeout', `the sign-in was not finished in the browser within ${span}`);
}

function isLoopbackUrl(url: string): boolean {
  const parsed = new URL(url);
  return (
    parsed.protocol === 'http:' &&
    isLoopbackAddressOrLocalhost(parsed.hostname.replace(/^\[|\]$/g, ''))
  );
}

// http carries codes and tokens in the clear: only to a provider on this machine (tests).
function checkEndpoint(url: string, which: string): void {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol === 'https:' || (parsed && isLoopbackUrl(url))) return;
  throw new TidingsError(
    'config',
    `the ${which} URL must start with https:// (http only on loopback)`,
  );
}
