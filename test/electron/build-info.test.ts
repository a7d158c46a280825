import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtInClients } from '../../app/main/electron/build-info.js';

const script = path.join(import.meta.dirname, '../../scripts/write-build-info.mjs');

async function build(env: Record<string, string>): Promise<unknown> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-build-info-')), 'build-info.js');
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('TIDINGS_')),
  );
  execFileSync(process.execPath, [script, file], { env: { ...clean, ...env } });
  return ((await import(pathToFileURL(file).href)) as { builtInClients: unknown }).builtInClients;
}

describe('the build-time OAuth2 clients', () => {
  it('are none in the committed source', () => {
    expect(builtInClients).toEqual({});
  });

  it('come from TIDINGS_GOOGLE_CLIENT_ID, _SECRET and TIDINGS_MICROSOFT_CLIENT_ID at build time', async () => {
    await expect(
      build({
        TIDINGS_GOOGLE_CLIENT_ID: 'g.apps.googleusercontent.com',
        TIDINGS_GOOGLE_CLIENT_SECRET: 'GOCSPX-x',
        TIDINGS_MICROSOFT_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
      }),
    ).resolves.toEqual({
      google: { clientId: 'g.apps.googleusercontent.com', clientSecret: 'GOCSPX-x' },
      microsoft: { clientId: '00000000-0000-0000-0000-000000000001' },
    });
  });

  it('are empty when the variables are unset or empty', async () => {
    await expect(build({ TIDINGS_MICROSOFT_CLIENT_ID: '' })).resolves.toEqual({});
  });

  it('have no client id committed in the source', () => {
    const source = readFileSync(
      path.join(import.meta.dirname, '../../app/main/electron/build-info.ts'),
      'utf8',
    );
    expect(source).not.toMatch(/googleusercontent|clientId:/);
  });
});
