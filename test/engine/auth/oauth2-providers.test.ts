import { describe, expect, it } from 'vitest';
import { resolveOAuth2Endpoints } from '../../../app/main/engine/auth/oauth2-providers.js';

describe('resolveOAuth2Endpoints', () => {
  it('gives Google its full-mail scope, offline access and consent, with the built-in client', () => {
    const endpoints = resolveOAuth2Endpoints(
      { provider: 'google' },
      { google: { clientId: 'g-id', clientSecret: 'g-secret' } },
    );
    expect(endpoints).toMatchObject({
      scope: 'https://mail.google.com/',
      clientId: 'g-id',
      clientSecret: 'g-secret',
      authorizeParams: { access_type: 'offline', prompt: 'consent' },
      scopeOnRefresh: false,
    });
    expect(endpoints.tokenUrl).toMatch(/^https:\/\//);
  });

  it('gives Microsoft the common tenant and IMAP scope, sent on refresh too', () => {
    const endpoints = resolveOAuth2Endpoints(
      { provider: 'microsoft' },
      { microsoft: { clientId: 'm-id' } },
    );
    expect(endpoints.authorizationUrl).toContain('/common/oauth2/v2.0/authorize');
    expect(endpoints.tokenUrl).toContain('/common/oauth2/v2.0/token');
    expect(endpoints.scope).toBe('https://outlook.office.com/IMAP.AccessAsUser.All offline_access');
    expect(endpoints.scopeOnRefresh).toBe(true);
    expect(endpoints.clientSecret).toBeUndefined();
  });

  it("prefers the user's own client and never pairs it with the built-in secret", () => {
    const endpoints = resolveOAuth2Endpoints(
      { provider: 'google', clientId: 'mine' },
      { google: { clientId: 'g-id', clientSecret: 'g-secret' } },
    );
    expect(endpoints.clientId).toBe('mine');
    expect(endpoints.clientSecret).toBeUndefined();
  });

  it('never sends the built-in client to endpoints the settings point elsewhere', () => {
    const builtIn = { google: { clientId: 'shipped-id', clientSecret: 'shipped-secret' } };
    expect(() =>
      resolveOAuth2Endpoints(
        { provider: 'google', tokenUrl: 'https://evil.example.test/token' },
        builtIn,
      ),
    ).toThrow(/need your own oauth2.clientId/);
    expect(
      resolveOAuth2Endpoints(
        { provider: 'google', clientId: 'mine', tokenUrl: 'https://idp.example.test/token' },
        builtIn,
      ),
    ).toMatchObject({ clientId: 'mine', tokenUrl: 'https://idp.example.test/token' });
  });

  it('takes a custom provider from the settings', () => {
    const endpoints = resolveOAuth2Endpoints({
      provider: 'custom',
      clientId: 'c',
      authorizationUrl: 'https://id.example/authorize',
      tokenUrl: 'https://id.example/token',
      scope: 'imap',
    });
    expect(endpoints).toEqual({
      authorizationUrl: 'https://id.example/authorize',
      tokenUrl: 'https://id.example/token',
      scope: 'imap',
      clientId: 'c',
      authorizeParams: {},
      scopeOnRefresh: false,
    });
  });

  it('says to register a client when the build has none and the user gave none', () => {
    expect(() => resolveOAuth2Endpoints({ provider: 'microsoft' })).toThrow(
      expect.objectContaining({
        code: 'config',
        message: expect.stringMatching(
          /register your own client.*docs\/gmail-and-microsoft-365\.md/,
        ),
      }),
    );
  });
});
