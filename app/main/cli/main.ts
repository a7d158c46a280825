/**
 * The `tidings` command line: argument parsing and exit codes. It imports only the commands'
 * face, which loads a command's module when it runs: `--version` and `--help` load no more.
 */
import { parseArgs } from 'node:util';
import { runCheck } from './commands/index.js';
import { parseStepTimeout } from './commands/index.js';
import { describeVersion } from '../describe-version.js';
import { runLogin } from './commands/index.js';
import { runMailboxes } from './commands/index.js';
import { runService } from './commands/index.js';
import { runWatch } from './commands/index.js';
import { actArgs, checkActArgs, runAct } from './commands/index.js';

const USAGE = `Usage: tidings --version
       tidings watch --config FILE [--json] [--no-desktop] [--state-dir DIR] [--verbose]
       tidings login --config FILE [--no-browser] [--state-dir DIR] ACCOUNT_ID
       tidings check --config FILE [--json] [--state-dir DIR] [--timeout SECONDS]
       tidings mailboxes --config FILE [--json] [--state-dir DIR] [--timeout SECONDS] ACCOUNT_ID
       tidings act --config FILE [--json] [--state-dir DIR] [--timeout SECONDS] ACCOUNT_ID
                   read|delete|archive MAILBOX UIDVALIDITY UID
       tidings service install --config FILE [--state-dir DIR] [--no-desktop]
       tidings service uninstall|status

watch:     watches IMAP mailboxes (NOTIFY, IDLE or polling) and announces every new
           message once.
login:     signs an "auth": "oauth2" account in (Gmail, Microsoft 365) in a browser and keeps
           its refresh token in the state dir for watch.
check:     checks each account step by step (settings, DNS, TCP, TLS, login, each watched
           mailbox) and prints a table; exit 0 when all pass, 1 naming the failed step.
mailboxes: lists the account's mailboxes on the server, * marking the watched ones.
act:       marks one message as read, or moves it to the Trash (delete) or the archive,
           addressed by mailbox, UIDVALIDITY and UID as watch announced it; exit 0 done,
           1 refused with the reason (UIDVALIDITY changed, message gone, no Trash…).
service:   runs watch as a user service: a systemd user unit (Linux) or a launchd agent
           (macOS); on Windows it says what to use instead. install checks the config
           first, then (re)starts it; status exits 3 when it is not installed.

  --config FILE     accounts and preferences (JSON; see docs/configuration.md); an
                    account may give only "email" and its secret: its server is
                    looked up and printed
  --json            watch: one JSON object per line on stdout: new-mail, status;
                    check, mailboxes, act: one JSON document on stdout
  --no-desktop      no desktop notifications
  --no-browser      login: only print the address to open, do not start a browser
  --state-dir DIR   where to keep what has been announced and the sign-in tokens
                    (default: the user config dir)
  --timeout SECONDS check, mailboxes, act: the deadline of each step (default 10)
  --verbose         debug logs on stderr
  --version         the version and the commit it was built from

Signals: SIGUSR1 refreshes now; SIGHUP re-reads the config (a bad one is refused, the old one
kept); SIGINT or SIGTERM logs out, ends running hooks and exits 0.`;

type Values = ReturnType<typeof parse>['values'];

/** A command: how many positionals after its name it takes, and what it runs. */
interface Command {
  /** The usage problem with these positionals, if any. */
  checkArgs(rest: string[]): string | undefined;
  /** Whether it runs without --config (default: it needs one). */
  configOptional?(rest: string[]): boolean;
  run(values: Values & { config: string; timeoutMs: number }, rest: string[]): Promise<number>;
}

const noArgs = (name: string) => (rest: string[]) =>
  rest.length === 0 ? undefined : `${name} takes no ACCOUNT_ID ("${rest.join(' ')}")`;
const oneAccount = (name: string, what: string) => (rest: string[]) =>
  rest.length === 0
    ? `${name}: give the ACCOUNT_ID ${what}`
    : rest.length > 1
      ? `${name}: give one ACCOUNT_ID, not "${rest.join(' ')}"`
      : undefined;

const SERVICE_ACTIONS = ['install', 'uninstall', 'status'] as const;
type ServiceAction = (typeof SERVICE_ACTIONS)[number];
const isServiceAction = (word: string | undefined): word is ServiceAction =>
  (SERVICE_ACTIONS as readonly (string | undefined)[]).includes(word);

// One entry per command: a new command is one more entry here and a line in USAGE.
const commands: Record<string, Command> = {
  watch: {
    checkArgs: noArgs('watch'),
    run: (values) =>
      runWatch({
        config: values.config,
        json: values.json,
        desktop: !values['no-desktop'],
        stateDir: values['state-dir'],
        verbose: values.verbose,
      }),
  },
  login: {
    checkArgs: oneAccount('login', 'to sign in'),
    run: (values, [account = '']) =>
      runLogin({
        config: values.config,
        account,
        stateDir: values['state-dir'],
        browser: !values['no-browser'],
        verbose: values.verbose,
      }),
  },
  check: {
    checkArgs: noArgs('check'),
    run: (values) =>
      runCheck({
        config: values.config,
        json: values.json,
        stateDir: values['state-dir'],
        verbose: values.verbose,
        timeoutMs: values.timeoutMs,
      }),
  },
  mailboxes: {
    checkArgs: oneAccount('mailboxes', 'to list'),
    run: (values, [account = '']) =>
      runMailboxes({
        config: values.config,
        account,
        json: values.json,
        stateDir: values['state-dir'],
        verbose: values.verbose,
        timeoutMs: values.timeoutMs,
      }),
  },
  act: {
    checkArgs: checkActArgs,
    run: (values, rest) =>
      runAct({
        config: values.config,
        ...actArgs(rest),
        json: values.json,
        stateDir: values['state-dir'],
        verbose: values.verbose,
        timeoutMs: values.timeoutMs,
      }),
  },
};

commands.service = {
  checkArgs: (rest) =>
    rest.length === 1 && isServiceAction(rest[0])
      ? undefined
      : `service: give one of install, uninstall, status${rest.length ? `, not "${rest.join(' ')}"` : ''}`,
  configOptional: ([action]) => action !== 'install',
  run: (values, [action]) =>
    runService({
      action: action as ServiceAction,
      config: values.config || undefined,
      stateDir: values['state-dir'],
      desktop: !values['no-desktop'],
    }),
};

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean', default: false },
      'no-desktop': { type: 'boolean', default: false },
      'no-browser': { type: 'boolean', default: false },
      'state-dir': { type: 'string' },
      timeout: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'V', default: false },
    },
  });
}

/** Exit codes: 0 done, 1 unexpected failure (check: a step failed), 2 bad usage or config. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`tidings ${describeVersion()}\n`);
    return 0;
  }
  const [name, ...rest] = positionals;
  const command = name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    return usageError(name ? `unknown command "${positionals.join(' ')}"` : 'no command given');
  }
  const problem = command.checkArgs(rest);
  if (problem) return usageError(problem);
  if (!values.config && !command.configOptional?.(rest)) {
    return usageError('--config FILE is required');
  }
  const timeout = parseStepTimeout(values.timeout);
  if (typeof timeout === 'string') return usageError(timeout);
  try {
    return await command.run({ ...values, config: values.config ?? '', timeoutMs: timeout }, rest);
  } catch (error) {
    // Loaded here, not above: the config's loader is the engine's zod schema, which
    // `--version` and `--help` do without. A command that threw one has loaded it already.
    const { ConfigError } = await import('./config/index.js');
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
