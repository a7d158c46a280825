/**
 * What `tidings service install` writes, as plain text from plain data: the systemd user
 * unit (Linux), the launchd agent's plist (macOS) and the Task Scheduler command (Windows).
 * No file system, no processes: `service-command.ts` does the writing and the running.
 */
import path from 'node:path';
import { build } from 'plist';

/** The systemd user unit's file name. */
export const SYSTEMD_UNIT_NAME = 'tidings.service';
/** The launchd agent's label (and its plist's name, with `.plist`). */
export const LAUNCHD_LABEL = 'app.tidings.watch';
/** The Task Scheduler task's name. */
export const WINDOWS_TASK_NAME = 'Tidings';

/** How the service runs `tidings watch`: absolute paths only. */
export interface WatchInvocation {
  /** The Node binary (`process.execPath` of the installing run). */
  node: string;
  /** `bin/tidings.js` of this checkout or package. */
  script: string;
  config: string;
  stateDir: string;
  desktop: boolean;
}

/** A path the service files cannot carry, with the reason. */
export class ServicePathError extends Error {
  override readonly name = 'ServicePathError';
}

// C0 controls, DEL and C1 controls: a newline would end the unit's line (or the schtasks
// command), and none of them is a character anyone means in a path.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws `ServicePathError` unless each path is absolute and free of control characters. */
export function checkInvocation(invocation: WatchInvocation, isAbsolute = path.isAbsolute): void {
  const paths = {
    'the Node binary': invocation.node,
    'bin/tidings.js': invocation.script,
    'the config file': invocation.config,
    'the state directory': invocation.stateDir,
  };
  for (const [what, value] of Object.entries(paths)) {
    if (CONTROL.test(value)) {
      throw new ServicePathError(
        `${what} has a control character (such as a newline) in its path, which a service file cannot hold: ${JSON.stringify(value)}`,
      );
    }
    if (!isAbsolute(value)) throw new ServicePathError(`${what} is not an absolute path: ${value}`);
  }
}

/** The command line the service runs, as argv. */
export function watchArgv(invocation: WatchInvocation): string[] {
  const { node, script, config, stateDir } = invocation;
  const argv = [node, script, 'watch', '--config', config, '--state-dir', stateDir];
  if (!invocation.desktop) argv.push('--no-desktop');
  return argv;
}

/**
 * One word of an ExecStart= line (systemd.service(5) "Command lines", systemd.syntax(7)):
 * always double-quoted, `\` and `"` backslash-escaped, `%` doubled (specifiers are expanded
 * in every word). `$` is doubled in arguments only: systemd expands `$VAR` in argv at start
 * time but never in the executable's path — systemd 252's `systemd-analyze verify` finds
 * `/a/d$$x/node` missing where `/a/d$x/node` exists.
 */
export function quoteExecWord(word: string, executable = false): string {
  let quoted = word.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%');
  // '$$$$': in a replacement string `$$` stands for one `$`.
  if (!executable) quoted = quoted.replace(/\$/g, '$$$$');
  return `"${quoted}"`;
}

/**
 * The ExecStart= value. systemd refuses an executable whose path holds `\`, `"` or `'`
 * (252 says "Executable name contains special characters"; the test shows it), so such a
 * Node path is refused here, with the reason, instead of writing a unit that cannot start.
 */
export function execStartLine(argv: string[]): string {
  const [executable = '', ...args] = argv;
  if (/["'\\]/.test(executable)) {
    throw new ServicePathError(
      `systemd cannot start an executable whose path holds a quote or a backslash: ${executable} (run tidings service install with a Node installed elsewhere, or through a symlink without them)`,
    );
  }
  return [quoteExecWord(executable, true), ...args.map((arg) => quoteExecWord(arg))].join(' ');
}

/** The systemd user unit: restarts on failure, logs to the journal. */
export function renderSystemdUnit(invocation: WatchInvocation): string {
  checkInvocation(invocation);
  return `# Written by \`tidings service install\`; \`tidings service uninstall\` removes it.
# Logs: journalctl --user -u tidings
[Unit]
Description=Tidings: announces new mail (IMAP NOTIFY, IDLE)
# At most 5 starts in 5 minutes; then it stays failed until you start it again.
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
Type=exec
ExecStart=${execStartLine(watchArgv(invocation))}
# \`systemctl --user reload tidings\`: SIGHUP re-reads the config (a bad one is refused).
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=10
# Exit 2 is a refused config or usage: restarting would only fail again.
RestartPreventExitStatus=2
StandardOutput=journal
StandardError=journal
SyslogIdentifier=tidings

[Install]
WantedBy=default.target
`;
}

/** Where the launchd agent writes stdout and stderr, under `~/Library/Logs/Tidings`. */
export function launchdLogFile(home: string): string {
  return path.posix.join(home, 'Library', 'Logs', 'Tidings', 'watch.log');
}

/**
 * The launchd agent: started at login, started again 10 s after any exit but a clean one
 * (SIGTERM's exit 0 stays stopped). `path` (the installing shell's PATH) is passed on
 * because launchd's own is /usr/bin:/bin:/usr/sbin:/sbin, where a Homebrew `pass` for a
 * passwordCommand is not found.
 */
export function renderLaunchdPlist(
  invocation: WatchInvocation,
  home: string,
  pathVariable?: string,
): string {
  checkInvocation(invocation, path.posix.isAbsolute);
  const log = launchdLogFile(home);
  const usablePath = pathVariable && !CONTROL.test(pathVariable) ? pathVariable : undefined;
  return build({
    Label: LAUNCHD_LABEL,
    ProgramArguments: watchArgv(invocation),
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 10,
    StandardOutPath: log,
    StandardErrorPath: log,
    ...(usablePath ? { EnvironmentVariables: { PATH: usablePath } } : {}),
  });
}

/**
 * The `schtasks` command that runs `tidings watch` at logon, for Windows (where Tidings
 * installs no service). /TR is one argument whose inner quotes are written `\"`; Windows
 * paths cannot hold `"`.
 */
export function windowsTaskCommand(invocation: WatchInvocation): string {
  checkInvocation(invocation, path.win32.isAbsolute);
  const run = watchArgv(invocation)
    .map((word) => (/[\s"]/.test(word) || word === '' ? `\\"${word}\\"` : word))
    .join(' ');
  return `schtasks /Create /TN ${WINDOWS_TASK_NAME} /SC ONLOGON /RL LIMITED /F /TR "${run}"`;
}
