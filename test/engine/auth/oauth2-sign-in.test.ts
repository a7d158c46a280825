/**
 * The browser sign-in against the strict local identity provider; the test is the browser:
 * it opens the authorization URL, and follows the provider's redirect to the listener itself.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TidingsError } from '../../../app/main/engine/base/errors.js';
import { signIn, type SignInOptions } from '../../../app/main/engine/auth/oauth2-sign-in.js';
import type { OAuth2Endpoints } from '../../../app/main/engine/auth/oauth2-providers.js';
import { startOAuthProvider, type OAuthProvider } from '../../support/oauth-provider.js';

let provider: OAuthProvider;
let endpoints: OAuth2Endpoints;
beforeAll(async () => {
  provider = await startOAuthProvider({ user: 'ann' });
  endpoints = {
    authorizationUrl: provider.authorizationUrl,
    tokenUrl: provider.tokenUrl,
    scope: 'mail',
    clientId: provider.clientId,
    authorizeParams: { access_type: 'offline' },
  };
});
afterAll(() => provider.stop());

/** Starts a sign-in and resolves with it and the URL it asked the user to open. */
async function start(options: Partial<SignInOptions> = {}) {
  let onUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (onUrl = resolve));
  const result = signIn({ endpoints, onUrl, ...options });
  result.catch(() => {});
  const authorizeUrl = new URL(await url);
  const redirectUri = new URL(authorizeUrl.searchParams.get('redirect_uri') ?? '');
  return { result, authorizeUrl, port: Number(redirectUri.port) };
}

/** What the provider redirects the browser to (the listener's URL with code and state). */
async function authorize(url: URL): Promise<URL> {
  const answer = await fetch(url, { redirect: 'manual' });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

async function page(url: URL): Promise<{ status: number; text: string }> {
  const answer = await fetch(url);
  return { status: answer.status, text: await answer.text() };
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('signIn', () => {
  it('signs in with PKCE S256 through a loopback listener, shows a page, and closes it', async () => {
    const opened: string[] = [];
    const { result, authorizeUrl, port } = await start({
      loginHint: 'bob@example.test',
      openBrowser: (url) => opened.push(url),
    });
    expect(opened).toEqual([authorizeUrl.href]);
    const q = authorizeUrl.searchParams;
    expect(q.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('scope')).toBe('mail');

    const done = await page(await authorize(authorizeUrl));
    const tokens = await result;
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/Signed in/);
    expect(done.text).not.toContain(tokens.refreshToken);
    expect(done.text).not.toContain(tokens.accessToken);
    expect(tokens).toMatchObject({ refreshToken: expect.any(String), expiresIn: 3600 });
    expect(await refusesConnections(port)).toBe(true);
    // The login hint chose the user, and the refresh token is a real one.
    const introspected = await fetch(provider.introspectionUrl, {
      method: 'POST',
      body: new URLSearchParams({ token: tokens.accessToken }),
    });
    expect(await introspected.json()).toEqual({ active: true, username: 'bob@example.test' });
  });

  it('returns the tokens and closes the port when the browser hangs up before the page is written', async () => {
    const slow = await startOAuthProvider({ tokenDelayMs: 500 });
    try {
      const { result, authorizeUrl, port } = await start({
        endpoints: {
          ...endpoints,
          tokenUrl: slow.tokenUrl,
          authorizationUrl: slow.authorizationUrl,
        },
        timeoutMs: 5_000,
      });
      const back = await authorize(authorizeUrl);
      // A browser that sends the callback and closes the tab at once.
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(`GET ${back.pathname}${back.search} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('error', () => {});
      await expect(result).resolves.toMatchObject({ refreshToken: expect.any(String) });
      expect(await refusesConnections(port)).toBe(true);
    } finally {
      await slow.stop();
    }
  });

  it('signs in with an OpenID provider whose ID token names an issuer it does not know', async () => {
    const oidc = await startOAuthProvider({ idTokenIssuer: 'https://idp.example.test/realms/x' });
    try {
      const { result, authorizeUrl } = await start({
        endpoints: {
          ...endpoints,
          tokenUrl: oidc.tokenUrl,
          authorizationUrl: oidc.authorizationUrl,
        },
      });
      await page(await authorize(authorizeUrl));
      await expect(result).resolves.toMatchObject({ refreshToken: expect.any(String) });
    } finally {
      await oidc.stop();
    }
  });

  it('refuses a callback with the wrong state, and still takes the right one', async () => {
    const { result, authorizeUrl, port } = await start();
    const back = await authorize(authorizeUrl);
    const forged = new URL(back);
    forged.searchParams.set('state', 'not-the-state');
    const refused = await page(forged);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/not the sign-in Tidings is waiting for/);
    const missing = new URL(back);
    missing.searchParams.delete('state');
    expect((await page(missing)).status).toBe(400);
    expect((await page(back)).status).toBe(200);
    await expect(result).resolves.toMatchObject({ refreshToken: expect.any(String) });
    expect(await refusesConnections(port)).toBe(true);
  });

  it('names the provider’s refusal in the page and the error, and closes the listener', async () => {
    const { result, authorizeUrl, port } = await start();
    const back = await authorize(authorizeUrl);
    const denied = new URL(back.origin + back.pathname);
    denied.searchParams.set('state', back.searchParams.get('state') ?? '');
    denied.searchParams.set('error', 'access_denied');
    denied.searchParams.set('error_description', '<b>user said no</b>');
    const shown = await page(denied);
    expect(shown.status).toBe(400);
    expect(shown.text).toMatch(/Sign-in failed/);
    expect(shown.text).toContain('access_denied (&lt;b&gt;user said no&lt;/b&gt;)');
    await expect(result).rejects.toMatchObject({
      code: 'auth',
      message: expect.stringMatching(/refused the sign-in: access_denied/),
    });
    expect(await refusesConnections(port)).toBe(true);
  });

  it('names a code the token endpoint refuses (invalid_grant) without showing a token', async () => {
    const { result, authorizeUrl } = await start();
    const back = await authorize(authorizeUrl);
    // Someone else redeemed the code first: the provider spends a code on its first use.
    await fetch(provider.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: provider.clientId,
        code: back.searchParams.get('code') ?? '',
        code_verifier: 'x'.repeat(43),
        redirect_uri: authorizeUrl.searchParams.get('redirect_uri') ?? '',
      }),
    });
    const shown = await page(back);
    expect(shown.text).toMatch(/Sign-in failed.*invalid_grant/s);
    await expect(result).rejects.toMatchObject({ code: 'auth' });
  });

  it('closes the port when aborted', async () => {
    const controller = new AbortController();
    const { result, port } = await start({ signal: controller.signal });
    expect(await refusesConnections(port)).toBe(false);
    controller.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    expect(await refusesConnections(port)).toBe(true);
  });

  it('closes the port when the user does not finish in time', async () => {
    const { result, port } = await start({ timeoutMs: 200 });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TidingsError);
    expect(error).toMatchObject({ code: 'timeout', message: expect.stringMatching(/0 s|within/) });
    expect(await refusesConnections(port)).toBe(true);
  });

  it('comes back to localhost at / for a client registered with http://localhost', async () => {
    const { result, authorizeUrl, port } = await start({
      redirectHost: 'localhost',
      timeoutMs: 500,
    });
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`http://localhost:${port}/`);
    await expect(result).rejects.toMatchObject({ code: 'timeout' });
  });

  it('answers at [::1] too for http://localhost, so no other program can take the browser there', async () => {
    // A browser that tries ::1 first for "localhost" must reach this sign-in, not another
    // local user's listener bound to [::1] on the same port.
    const { result, authorizeUrl, port } = await start({ redirectHost: 'localhost' });
    const callback = await authorize(authorizeUrl);
    expect(callback.host).toBe(`localhost:${port}`);
    callback.hostname = '[::1]';
    expect((await page(callback)).status).toBe(200);
    await expect(result).resolves.toMatchObject({ refreshToken: expect.any(String) as string });
    expect(await refusesConnections(port)).toBe(true);
  });

  it('refuses an http provider that is not on this machine, before opening anything', async () => {
    const onUrl = () => expect.unreachable();
    await expect(
      signIn({ endpoints: { ...endpoints, tokenUrl: 'http://idp.example.test/token' }, onUrl }),
    ).rejects.toMatchObject({ code: 'config', message: expect.stringMatching(/token URL.*https/) });
  });
});
