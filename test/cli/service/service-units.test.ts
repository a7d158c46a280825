import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { parse } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  execStartLine,
  LAUNCHD_LABEL,
  renderLaunchdPlist,
  renderSystemdUnit,
  ServicePathError,
  watchArgv,
  windowsTaskCommand,
  type WatchInvocation,
} from '../../../app/main/cli/service/service-units.js';

// Every character systemd's unit syntax gives a meaning to: specifiers (%h), variables
// ($HOME, ${X}, $$), quotes, backslash escapes (\n written as two characters), the old
// command separator (;), shell characters systemd ignores, non-ASCII, and edge spaces.
const NASTY = ` %h %% $HOME $$ \${X} 'q' "dq" back\\slash \\n ü ; \` * ~ # end `;

// systemd --test runs as nobody under root (below), and must read the trees made here.
let umask: number;
beforeAll(() => {
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
});

/** A tree nobody (the user systemd --test runs as under root) can read. */
function makeTree(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tidings-units-'));
  chmodSync(root, 0o755);
  return root;
}

/** A real Node binary at a path with every character systemd allows in an executable's. */
function nodeAtAwkwardPath(root: string): string {
  const dir = path.join(root, 'bin dir %d $PATH ; ü `x` * ~ #');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const node = path.join(dir, 'node');
  symlinkSync(process.execPath, node);
  return node;
}

function invocationIn(root: string, desktop = false): WatchInvocation {
  return {
    node: nodeAtAwkwardPath(root),
    script: path.join(root, `pkg${NASTY}`, 'bin', 'tidings.js'),
    config: path.join(root, `conf${NASTY}`, 'config.json'),
    stateDir: path.join(root, `state${NASTY}`),
    desktop,
  };
}

/** A user unit directory holding `unit`, and a runtime dir, as systemd --user wants them. */
function writeUnitTree(root: string, unit: string) {
  const configHome = path.join(root, 'config');
  const unitDir = path.join(configHome, 'systemd', 'user');
  mkdirSync(unitDir, { recursive: true, mode: 0o755 });
  chmodSync(configHome, 0o755);
  chmodSync(path.join(configHome, 'systemd'), 0o755);
  const unitFile = path.join(unitDir, 'tidings.service');
  writeFileSync(unitFile, unit, { mode: 0o644 });
  const runtime = path.join(root, 'runtime');
  mkdirSync(runtime, { mode: 0o700 });
  return { configHome, unitFile, runtime };
}

// `systemd --test` refuses to run as root ("Don't run test mode as root."): as root, run it
// as nobody through util-linux's setpriv.
function asUser(command: string, args: string[], env: Record<string, string>, runtime: string) {
  const fullEnv = { PATH: '/usr/bin:/bin', ...env, XDG_RUNTIME_DIR: runtime };
  const envArgs = Object.entries(fullEnv).map(([k, v]) => `${k}=${v}`);
  if (process.getuid?.() !== 0) return spawnSync('env', ['-i', ...envArgs, command, ...args]);
  chownSync(runtime, 65534, 65534);
  const drop = ['--reuid=65534', '--regid=65534', '--clear-groups'];
  return spawnSync('setpriv', [...drop, 'env', '-i', ...envArgs, command, ...args]);
}

/**
 * Reads back the argv systemd parsed, from `systemd --test --user`'s dump ("Command Line:",
 * written by quote_command_line: a word needing quotes is put in "…" with `"`, `\`, `` ` ``
 * and `$` backslash-escaped), then substitutes variables as systemd does at start time.
 */
function argvSystemdParsed(unit: string, root: string): string[] {
  const { configHome, runtime } = writeUnitTree(root, unit);
  const result = asUser(
    '/lib/systemd/systemd',
    ['--test', '--user', '--unit=tidings.service', '--no-pager'],
    { HOME: root, XDG_CONFIG_HOME: configHome },
    runtime,
  );
  const dump = result.stdout.toString();
  expect(result.status, `${result.stderr.toString()}${dump.slice(0, 500)}`).toBe(0);
  const unitStart = dump.indexOf('-> Unit tidings.service:');
  expect(unitStart).toBeGreaterThanOrEqual(0);
  const line = /Command Line: (.*)/.exec(dump.slice(unitStart))?.[1];
  if (line === undefined) throw new Error('no Command Line in the dump');
  const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''),
  );
  return words.map(substituteAtStart);
}

/**
 * What systemd does to an argument when it starts the command (env-util.c's
 * replace_env_argv): a word `$NAME` becomes the variable's words, `${NAME}` anywhere its
 * value, `$$` a `$`. Variables come out as «NAME», so a `$` left unescaped shows.
 */
function substituteAtStart(word: string): string {
  if (/^\$[A-Za-z_]\w*$/.test(word)) return `«${word.slice(1)}»`;
  return word.replace(/\$\$|\$\{(\w*)\}/g, (match, name?: string) =>
    match === '$$' ? '$' : `«${name ?? ''}»`,
  );
}

function verify(unitFile: string, runtime: string) {
  const result = spawnSync('systemd-analyze', ['--user', 'verify', unitFile], {
    env: { ...process.env, XDG_RUNTIME_DIR: runtime },
  });
  if (result.error) throw new Error(`systemd-analyze: ${result.error.message} (Debian: systemd)`);
  return { status: result.status, stderr: result.stderr.toString() + result.stdout.toString() };
}

describe('the systemd user unit', () => {
  it('passes systemd-analyze --user verify with no warning, for paths holding every special character', () => {
    const root = makeTree();
    const { unitFile, runtime } = writeUnitTree(root, renderSystemdUnit(invocationIn(root)));
    expect(verify(unitFile, runtime)).toEqual({ status: 0, stderr: '' });
  });

  it("is read back by systemd's own parser as exactly the argv of tidings watch", () => {
    const root = makeTree();
    const invocation = invocationIn(root);
    const parsed = argvSystemdParsed(renderSystemdUnit(invocation), root);
    expect(parsed).toEqual(watchArgv(invocation));
    expect(parsed.slice(2)).toEqual([
      'watch',
      '--config',
      invocation.config,
      '--state-dir',
      invocation.stateDir,
      '--no-desktop',
    ]);
  });

  it('runs with popups unless told not to, and always names its state directory', () => {
    const root = makeTree();
    const argv = argvSystemdParsed(renderSystemdUnit(invocationIn(root, true)), root);
    expect(argv.slice(2)).toEqual([
      'watch',
      '--config',
      expect.any(String),
      '--state-dir',
      expect.any(String),
    ]);
  });

  it('restarts on failure but not after exit 2, at most 5 starts in 5 minutes, reloads with SIGHUP, logs to the journal, wanted by default.target', () => {
    const unit = renderSystemdUnit(invocationIn(makeTree()));
    const settings = unit
      .split('\n')
      .filter((line) => /^\w+=/.test(line) && !line.startsWith('ExecStart='));
    expect(settings).toEqual([
      'Description=Tidings: announces new mail (IMAP NOTIFY, IDLE)',
      'StartLimitIntervalSec=300',
      'StartLimitBurst=5',
      'Type=exec',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'Restart=on-failure',
      'RestartSec=10',
      'RestartPreventExitStatus=2',
      'StandardOutput=journal',
      'StandardError=journal',
      'SyslogIdentifier=tidings',
      'WantedBy=default.target',
    ]);
  });

  it('is refused by systemd when the executable path holds a quote or a backslash, so it is refused here first', () => {
    const root = makeTree();
    for (const bad of ['a"b', "a'b", 'a\\b']) {
      const dir = path.join(root, bad);
      mkdirSync(dir);
      symlinkSync(process.execPath, path.join(dir, 'node'));
      const word = `"${path.join(dir, 'node').replace(/[\\"]/g, '\\$&')}"`;
      const tree = writeUnitTree(path.join(root, `t${bad.charCodeAt(1)}`), '');
      writeFileSync(tree.unitFile, `[Service]\nExecStart=${word} x\n`);
      const verdict = verify(tree.unitFile, tree.runtime);
      expect(verdict.status).toBe(1);
      expect(verdict.stderr).toContain('Executable name contains special characters');
      expect(() => execStartLine([path.join(dir, 'node'), 'x'])).toThrow(
        /systemd cannot start an executable whose path holds a quote or a backslash/,
      );
    }
  });

  it('refuses a path with a newline, a tab, an escape or DEL in any of its parts, naming which', () => {
    const good = invocationIn(makeTree());
    const cases: [keyof WatchInvocation, string, string][] = [
      ['config', '/home/ann/a\nExecStartPre=/bin/rm -rf ~', 'the config file'],
      ['stateDir', '/home/ann/state\there', 'the state directory'],
      ['script', '/home/ann/\u001b[31mbin/tidings.js', 'bin/tidings.js'],
      ['node', '/usr/bin/no\u007fde', 'the Node binary'],
    ];
    for (const [field, value, named] of cases) {
      const render = () => renderSystemdUnit({ ...good, [field]: value });
      expect(render).toThrow(ServicePathError);
      expect(render).toThrow(`${named} has a control character (such as a newline) in its path`);
    }
  });

  it('refuses a relative path', () => {
    const good = invocationIn(makeTree());
    expect(() => renderSystemdUnit({ ...good, config: 'config.json' })).toThrow(
      'the config file is not an absolute path: config.json',
    );
  });
});

describe('the launchd agent', () => {
  const home = '/Users/ann & <bob>';
  const invocation: WatchInvocation = {
    node: '/opt/homebrew/Cellar/node/22.1.0/bin/node',
    script: '/Users/ann & <bob>/src/tidings ]]> "x"/bin/tidings.js',
    config: "/Users/ann & <bob>/Mail config/ü 'tidings'.json",
    stateDir: '/Users/ann & <bob>/Library/Preferences/tidings',
    desktop: true,
  };

  it('parses back to exactly the keys it should have, with ProgramArguments as the argv', () => {
    const xml = renderLaunchdPlist(invocation, home, '/opt/homebrew/bin:/usr/bin:/bin');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parse(xml)).toEqual({
      Label: LAUNCHD_LABEL,
      ProgramArguments: [
        invocation.node,
        invocation.script,
        'watch',
        '--config',
        invocation.config,
        '--state-dir',
        invocation.stateDir,
      ],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      StandardOutPath: '/Users/ann & <bob>/Library/Logs/Tidings/watch.log',
      StandardErrorPath: '/Users/ann & <bob>/Library/Logs/Tidings/watch.log',
      EnvironmentVariables: { PATH: '/opt/homebrew/bin:/usr/bin:/bin' },
    });
  });

  it('passes --no-desktop when told, and no PATH when there is none to pass on', () => {
    const parsed = parse(renderLaunchdPlist({ ...invocation, desktop: false }, home)) as Record<
      string,
      unknown
    >;
    expect(parsed.ProgramArguments).toEqual([...watchArgv(invocation), '--no-desktop']);
    expect(parsed).not.toHaveProperty('EnvironmentVariables');
  });

  it('refuses a path with a control character', () => {
    expect(() => renderLaunchdPlist({ ...invocation, config: '/Users/a\r/c.json' }, home)).toThrow(
      'the config file has a control character',
    );
  });
});

describe('the Windows logon task', () => {
  it('is one schtasks command whose /TR quotes each path with spaces', () => {
    const command = windowsTaskCommand({
      node: 'C:\\Program Files\\nodejs\\node.exe',
      script: 'C:\\Users\\Ann Lee\\tidings\\bin\\tidings.js',
      config: 'C:\\Users\\Ann Lee\\tidings.json',
      stateDir: 'C:\\Users\\Ann Lee\\AppData\\Roaming\\tidings\\Config',
      desktop: true,
    });
    expect(command).toBe(
      'schtasks /Create /TN Tidings /SC ONLOGON /RL LIMITED /F /TR "' +
        '\\"C:\\Program Files\\nodejs\\node.exe\\" \\"C:\\Users\\Ann Lee\\tidings\\bin\\tidings.js\\" ' +
        'watch --config \\"C:\\Users\\Ann Lee\\tidings.json\\" ' +
        '--state-dir \\"C:\\Users\\Ann Lee\\AppData\\Roaming\\tidings\\Config\\""',
    );
  });
});

it('has systemd-analyze and systemd to test with (Debian package systemd)', () => {
  expect(execFileSync('systemd-analyze', ['--version']).toString()).toMatch(/^systemd \d+/);
});
