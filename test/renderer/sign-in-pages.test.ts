/**
 * The real pages of the sign-in flow, once through Chromium: the engine's `signIn` (what the
 * desktop's `account:sign-in` runs) against the local identity provider, with Chromium as
 * the system browser following the authorize URL back to the loopback listener. Screenshots
 * of the page the listener serves go to test-results/.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../app/main/engine/auth/oauth2-sign-in.js';
import { startOAuthProvider, type OAuthProvider } from '../support/oauth-provider.js';
import { shot } from './settings-page.js';

let browser: Browser;
let provider: OAuthProvider;
beforeAll(async () => {
  provider = await startOAuthProvider({ user: 'ann@example.test' });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await provider?.stop();
});

function endpoints() {
  return {
    authorizationUrl: provider.authorizationUrl,
    tokenUrl: provider.tokenUrl,
    scope: 'mail',
    clientId: provider.clientId,
    authorizeParams: {},
  };
}

describe('the sign-in pages in a real browser', () => {
  it('shows the success page after the provider redirects back', async () => {
    const context = await browser.newContext({ viewport: { width: 640, height: 400 } });
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (request) => visited.push(request.url()));
    const result = signIn({
      endpoints: endpoints(),
      loginHint: 'ann@example.test',
      onUrl: () => {},
      openBrowser: (url) => void page.goto(url),
    });
    const tokens = await result;
    expect(tokens.refreshToken).toBeTruthy();
    await expect.poll(() => page.locator('body').textContent()).toMatch(/signed in/i);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).not.toContain(tokens.refreshToken);
    expect(body).not.toContain(tokens.accessToken);
    expect(new URL(page.url()).hostname).toBe('127.0.0.1');
    expect(visited.some((url) => url.startsWith(provider.authorizationUrl))).toBe(true);
    await page.screenshot({ path: shot('sign-in-browser-success.png') });
    await context.close();
  });

  it('shows the failure page, with the provider error named, when the user refuses', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const result = signIn({
      endpoints: endpoints(),
      onUrl: () => {},
      // The user presses "Cancel" at the provider: it redirects back with access_denied.
      openBrowser: (url) => {
        const asked = new URL(url);
        const back = new URL(asked.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('state', asked.searchParams.get('state') ?? '');
        void page.goto(back.href);
      },
    });
    await expect(result).rejects.toThrow(/access_denied/);
    await expect.poll(() => page.locator('body').textContent()).toMatch(/access_denied/);
    await page.screenshot({ path: shot('sign-in-browser-denied.png') });
    await context.close();
  });
});
