/**
 * A process of its own (started by `token-file-workers.ts`) that uses the CLI's token file as `tidings login`, `check` and `watch`
 * do, for the tests of several writers at once (run with `node --import tsx`). It prints
 * `ready`, waits for a line on stdin (so that workers started one after the other run
 * together), does its work, and prints one JSON line of what it saw:
 *
 * - `rotate DIR ACCOUNT COUNT`: saves COUNT new refresh tokens for ACCOUNT, checking before
 *   each that the file still holds the one it saved last (`lost` counts those it did not).
 * - `refresh DIR COUNT SETTINGS`: COUNT forced refreshes of account `idp` through the CLI's
 *   credentials, SETTINGS being the config as JSON (`errors` lists the failures).
 * - `hold DIR STALE_MS`: takes the file's lock, prints `locked`, and keeps it until killed.
 */
import { createInterface } from 'node:readline';
import { settingsSchema } from '../../app/common/settings-schema.js';
import { ConfigSecretSource } from '../../app/main/cli/credentials/config-secret-source.js';
import { createConfigCredentials } from '../../app/main/cli/credentials/config-credentials.js';
import { TokenFile } from '../../app/main/cli/credentials/token-file.js';
import { silentLogger } from '../../app/main/engine/base/ports.js';
import { WORKER_BINDING } from './token-file-workers.js';

const [mode = '', dir = '', ...rest] = process.argv.slice(2);

async function rotate(account: string, count: number) {
  const file = new TokenFile(dir, silentLogger);
  let last = file.get(account, WORKER_BINDING);
  let lost = 0;
  for (let i = 1; i <= count; i++) {
    if (file.get(account, WORKER_BINDING) !== last) lost++;
    last = `${account}-${i}`;
    await file.save(account, WORKER_BINDING, last);
  }
  return { lost };
}

async function refresh(count: number, settingsJson: string) {
  const settings = settingsSchema.parse(JSON.parse(settingsJson));
  const tokenFile = new TokenFile(dir, silentLogger);
  const secrets = new ConfigSecretSource(settings.accounts, {});
  const { credentials } = createConfigCredentials({ settings, secrets, tokenFile, env: {} });
  const errors: string[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const answer = await credentials.getCredentials('idp', { forceRefresh: true });
      if (answer.kind === 'oauth2') tokens.push(answer.accessToken);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  return { errors, tokens };
}

async function hold(staleMs: number) {
  const file = new TokenFile(dir, silentLogger, { staleMs });
  await file.exclusive(async () => {
    process.stdout.write('locked\n');
    // proper-lockfile's timer is unref'd: something else must keep the process alive.
    await new Promise(() => setInterval(() => {}, 1000));
  });
  return {};
}

async function work(): Promise<unknown> {
  if (mode === 'rotate') return rotate(rest[0] ?? '', Number(rest[1]));
  if (mode === 'refresh') return refresh(Number(rest[0]), rest[1] ?? '{}');
  if (mode === 'hold') return hold(Number(rest[0]));
  throw new Error(`unknown mode ${mode}`);
}

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
lines.once('line', () => {
  lines.close();
  work().then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
});
