/**
 * `tidings login --config FILE ACCOUNT_ID`: signs an OAuth2 account in through the system
 * browser and stores its refresh token in the state directory, where `tidings watch` finds
 * it. The address is printed on stderr first, so it works over SSH or without a desktop.
 */
import { execFile } from 'node:child_process';
import type { AccountSettings } from '../../../common/settings-schema.js';
import { TidingsError } from '../../engine/index.js';
import { signIn } from '../../engine/auth/index.js';
import { ConfigError, loadConfigResolved } from '../config/index.js';
import { bindingOf, endpointsForAccount } from '../credentials/index.js';
import { createStderrLogger } from '../output/index.js';
import { resolveStateDir } from '../config/index.js';
import { TokenFile } from '../credentials/index.js';
import { takeSignals } from './command-setup.js';

/** The parsed options of `tidings login`. */
export interface LoginOptions {
  config: string;
  account: string;
  stateDir: string | undefined;
  browser: boolean;
  verbose: boolean;
}

// Long enough to find a password manager and a second factor; short enough not to forget.
const SIGN_IN_TIMEOUT_MS = 10 * 60_000;

/** Signs in; resolves with the exit code. Throws `ConfigError` (exit 2). */
export async function runLogin(options: LoginOptions): Promise<number> {
  const logger = createStderrLogger(options.verbose);
  const stateDir = resolveStateDir(options.stateDir);
  const settings = await loadConfigResolved(options.config, process.env, {
    signingIn: true,
    stateDir,
  });
  const index = settings.accounts.findIndex((account) => account.id === options.account);
  const account = settings.accounts[index];
  if (!account) {
    const known = settings.accounts.map((a) => a.id).join(', ');
    throw new ConfigError(options.config, [`no account "${options.account}" (accounts: ${known})`]);
  }
  const where = `accounts[${index}]`;
  const endpoints = endpointsFor(account, where, options.config);
  const tokenFile = new TokenFile(stateDir, logger);

  const cancel = new AbortController();
  const giveBack = takeSignals(['SIGINT', 'SIGTERM'], () => cancel.abort());
  try {
    const tokens = await signIn({
      endpoints,
      loginHint: account.user,
      // Entra matches a client registered with http://localhost by host and path.
      redirectHost: account.oauth2?.provider === 'microsoft' ? 'localhost' : '127.0.0.1',
      signal: cancel.signal,
      timeoutMs: SIGN_IN_TIMEOUT_MS,
      onUrl: (url) =>
        process.stderr.write(
          `To sign in ${account.id} (${account.user}), open this address in a browser:\n\n` +
            `  ${url}\n\nWaiting for the browser (Ctrl-C cancels)…\n`,
        ),
      ...(options.browser ? { openBrowser: (url: string) => openBrowser(url, logger) } : {}),
    });
    // Counted from now, a moment after the provider's answer: late by that moment, which the
    // five minutes a token must have left to be used cover.
    const access = tokens.expiresIn
      ? { token: tokens.accessToken, expiresAt: Date.now() + tokens.expiresIn * 1000 }
      : undefined;
    try {
      await tokenFile.save(account.id, bindingOf(endpoints), tokens.refreshToken, access);
    } catch (error) {
      process.stderr.write(
        `tidings: signed in, but the token could not be saved: ${(error as Error).message}\n`,
      );
      return 1;
    }
    logger.debug(`token file: ${tokenFile.path}`);
    process.stdout.write(
      `Signed in as ${account.user}; run tidings watch --config ${options.config}\n`,
    );
    return 0;
  } catch (error) {
    if (cancel.signal.aborted) {
      process.stderr.write('tidings: sign-in cancelled\n');
      return 130;
    }
    if (!(error instanceof TidingsError)) throw error;
    if (error.code === 'config')
      throw new ConfigError(options.config, [`${where}: ${error.message}`]);
    process.stderr.write(`tidings: sign-in failed: ${error.message}\n`);
    return 1;
  } finally {
    giveBack();
  }
}

function endpointsFor(account: AccountSettings, where: string, file: string) {
  if (account.auth !== 'oauth2') {
    throw new ConfigError(file, [
      `${where}.auth: "${account.id}" signs in with a password; tidings login is for "auth": "oauth2"`,
    ]);
  }
  try {
    return endpointsForAccount(account, process.env);
  } catch (error) {
    // With only an accessTokenCommand, the token helper signs in, not Tidings.
    throw new ConfigError(file, [`${where}.${(error as Error).message}`]);
  }
}

/**
 * Opens `url` in the user's browser when there is one: `open` on macOS, the URL handler on
 * Windows, `xdg-open` under a desktop session elsewhere. Never through a shell (the URL has
 * `&`s); a failure only means the user opens the printed address.
 */
export function openBrowser(url: string, logger: { debug(message: string): void }): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  if (command === 'xdg-open' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    logger.debug('no desktop session (DISPLAY, WAYLAND_DISPLAY): not opening a browser');
    return;
  }
  const child = execFile(command, args, { windowsHide: true }, (error) => {
    if (error) logger.debug(`could not open a browser (${command}): ${error.message}`);
  });
  child.unref();
}
