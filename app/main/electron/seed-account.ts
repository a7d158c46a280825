/**
 * `--seed-account=FILE`: an account to add at start, for `npm run demo` and the desktop
 * end-to-end test (a throwaway Dovecot account, without typing it into the window). The file
 * holds what the settings window would send (`{"account": {…, "password": "…"}}`), goes
 * through the same validation, and is saved only if no account has that id yet: a seed
 * never overwrites what the user set up.
 */
import { readFileSync } from 'node:fs';
import { accountInputSchema } from '../../common/ipc-contract.js';
import { formatIssues } from '../../common/settings-schema.js';
import type { Logger } from '../engine/index.js';
import type { SettingsStore } from './settings-store.js';

const FLAG = '--seed-account=';

/** The seed file named on the command line, if any. */
export function seedAccountFile(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.startsWith(FLAG))?.slice(FLAG.length) || undefined;
}

/** Adds the account in `file` unless its id exists; every problem is logged, none thrown. */
export function seedAccount(
  store: SettingsStore,
  file: string,
  encrypt: (password: string) => string,
  logger: Logger,
): boolean {
  let text: string;
  let json: unknown;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    logger.warn(
      `--seed-account ${file}: cannot read it (${(error as NodeJS.ErrnoException).code})`,
    );
    return false;
  }
  try {
    json = JSON.parse(text);
  } catch {
    // Not the parser's message: V8 quotes the text around the error, password included.
    logger.warn(`--seed-account ${file}: not valid JSON`);
    return false;
  }
  const parsed = accountInputSchema.safeParse(json);
  if (!parsed.success || parsed.data.originalId !== undefined) {
    const problems = parsed.success
      ? ['originalId: not allowed in a seed']
      : formatIssues(parsed.error.issues);
    logger.warn(`--seed-account ${file}: ${problems.join('; ')}`);
    return false;
  }
  const { account } = parsed.data;
  if (store.engineSettings().accounts.some((a) => a.id === account.id)) return false;
  const saved = store.saveAccount({ account }, encrypt);
  if (!saved.ok) logger.warn(`--seed-account ${file}: ${saved.error.message}`);
  else logger.info(`added account ${account.id} from ${file}`);
  return saved.ok;
}
