/** The `tidings` command line: argument parsing and exit codes. */
import { parseArgs } from 'node:util';
import { ConfigError } from './load-config.js';
import { runLogin } from './login-command.js';
import { runWatch } from './watch-command.js';

const USAGE = `Usage: tidings watch --config FILE [--json] [--no-desktop] [--state-dir DIR] [--verbose]
       tidings login --config FILE [--no-browser] [--state-dir DIR] ACCOUNT_ID

watch: watches IMAP mailboxes with IDLE and announces every new message once.
login: signs an "auth": "oauth2" account in (Gmail, Microsoft 365) in a browser and keeps
       its refresh token in the state dir for watch.

  --config FILE     accounts and preferences (JSON; see README); an account may give
                    only "email" and its secret: its server is looked up and printed
  --json            one JSON object per line on stdout: new-mail, status
  --no-desktop      no desktop notifications
  --no-browser      login: only print the address to open, do not start a browser
  --state-dir DIR   where to keep what has been announced and the sign-in tokens
                    (default: the user config dir)
  --verbose         debug logs on stderr

Signals: SIGUSR1 refreshes now; SIGINT or SIGTERM logs out and exits 0.`;

/** Exit codes: 0 done, 1 unexpected failure, 2 bad usage or config. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean', default: false },
        'no-desktop': { type: 'boolean', default: false },
        'no-browser': { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  const valid =
    (command === 'watch' && rest.length === 0) || (command === 'login' && rest.length <= 1);
  if (!valid) {
    return usageError(command ? `unknown command "${positionals.join(' ')}"` : 'no command given');
  }
  if (!values.config) return usageError('--config FILE is required');
  try {
    if (command === 'login') {
      if (!rest[0]) return usageError('login: give the ACCOUNT_ID to sign in');
      return await runLogin({
        config: values.config,
        account: rest[0],
        stateDir: values['state-dir'],
        browser: !values['no-browser'],
        verbose: values.verbose,
      });
    }
    return await runWatch({
      config: values.config,
      json: values.json,
      desktop: !values['no-desktop'],
      stateDir: values['state-dir'],
      verbose: values.verbose,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tidings: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function usageError(message: string): number {
  process.stderr.write(`tidings: ${message}\n\n${USAGE}\n`);
  return 2;
}
