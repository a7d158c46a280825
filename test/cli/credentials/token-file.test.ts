/**
 * `tokens.json` with several writers: `tidings login`, `tidings check` and a running
 * `tidings watch` are separate processes over one file. Real files in a temp dir, real
 * processes (`token-file-worker.ts`), and the strict local identity provider, which retires a
 * refresh token once it is used.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TokenFile } from '../../../app/main/cli/credentials/token-file.js';
import { silentLogger } from '../../../app/main/engine/base/ports.js';
import { startOAuthProvider, type OAuthProvider } from '../../support/oauth-provider.js';
import {
  runTokenWorkers,
  startTokenWorker,
  WORKER_BINDING,
  type TokenWorker,
} from '../../support/token-file-workers.js';

let provider: OAuthProvider;
beforeAll(async () => {
  provider = await startOAuthProvider({ rotateRefreshTokens: true, user: 'ann' });
});
afterAll(() => provider.stop());

const started: TokenWorker[] = [];
afterEach(() => {
  for (const worker of started.splice(0)) worker.child.kill('SIGKILL');
});

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'tidings-tokens-'));

const stored = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'tokens.json'), 'utf8')) as Record<
    string,
    { refreshToken: string }
  >;

function settings() {
  return {
    accounts: [
      {
        id: 'idp',
        host: '127.0.0.1',
        user: 'ann',
        auth: 'oauth2',
        oauth2: {
          provider: 'custom',
          clientId: provider.clientId,
          authorizationUrl: provider.authorizationUrl,
          tokenUrl: provider.tokenUrl,
          scope: 'mail',
        },
      },
    ],
  };
}

describe('tokens.json shared by several processes', () => {
  it('keeps every account’s rotated token when two processes rotate theirs at once', async () => {
    const dir = tempDir();
    const rounds = 300;
    const results = await runTokenWorkers([
      ['rotate', dir, 'work', String(rounds)],
      ['rotate', dir, 'home', String(rounds)],
    ]);
    // A lost write shows in the other process's next read: its token is not the one it saved.
    expect(results).toEqual([{ lost: 0 }, { lost: 0 }]);
    const file = new TokenFile(dir, silentLogger);
    expect(file.get('work', WORKER_BINDING)).toBe(`work-${rounds}`);
    expect(file.get('home', WORKER_BINDING)).toBe(`home-${rounds}`);
  });

  it('redeems each refresh token once when two processes refresh the same account at once', async () => {
    const dir = tempDir();
    const config = settings();
    // As after `tidings login`: the refresh token is in the file, nothing is configured.
    await new TokenFile(dir, silentLogger).save(
      'idp',
      { tokenUrl: provider.tokenUrl, clientId: provider.clientId },
      provider.issueRefreshToken(),
    );
    const results = await runTokenWorkers([
      ['refresh', dir, '20', JSON.stringify(config)],
      ['refresh', dir, '20', JSON.stringify(config)],
    ]);
    // Redeeming a token the other process already redeemed is invalid_grant ("sign in again").
    expect(results.map((result) => result.errors)).toEqual([[], []]);
    // The token left in the file is the live end of the chain: the provider takes it.
    const answer = await fetch(provider.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: provider.clientId,
        refresh_token: stored(dir).idp?.refreshToken ?? '',
      }),
    });
    expect(answer.status).toBe(200);
  });

  it('names tokens.json and its lock when the lock is not free in time, and writes nothing', async () => {
    const dir = tempDir();
    const file = new TokenFile(dir, silentLogger, { lockWaitMs: 300 });
    await file.save('work', WORKER_BINDING, 'rt-1');
    // What a live holder leaves: the lock directory, its time fresh.
    mkdirSync(path.join(dir, 'tokens.json.lock'));
    const failure = file.save('work', WORKER_BINDING, 'rt-2');
    await expect(failure).rejects.toThrow(path.join(dir, 'tokens.json.lock'));
    await expect(failure).rejects.toThrow(/tokens\.json is locked by another tidings/);
    expect(file.get('work', WORKER_BINDING)).toBe('rt-1');
  });

  it('takes over the lock of a process killed while it held it', async () => {
    const dir = tempDir();
    const holder = startTokenWorker(['hold', dir, '2000']);
    started.push(holder);
    await holder.printed('ready');
    holder.go();
    await holder.printed('locked');
    // Held: a writer that may not wait long is refused.
    const hurried = new TokenFile(dir, silentLogger, { lockWaitMs: 300, staleMs: 2000 });
    await expect(hurried.save('work', WORKER_BINDING, 'rt-0')).rejects.toThrow(/locked/);
    holder.child.kill('SIGKILL');
    // Its lock directory stays behind, no longer kept fresh: stale after 2 s, then taken.
    expect(existsSync(path.join(dir, 'tokens.json.lock'))).toBe(true);
    const patient = new TokenFile(dir, silentLogger, { lockWaitMs: 20_000, staleMs: 2000 });
    await patient.save('work', WORKER_BINDING, 'rt-1');
    expect(patient.get('work', WORKER_BINDING)).toBe('rt-1');
    expect(existsSync(path.join(dir, 'tokens.json.lock'))).toBe(false);
  });
});
