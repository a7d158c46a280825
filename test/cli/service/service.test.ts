import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runService, type ServiceOptions } from '../../../app/main/cli/commands/service-command.js';
import { renderSystemdUnit } from '../../../app/main/cli/service/service-units.js';
import {
  createServiceWorld,
  runCommand,
  shellQuote,
  stableNodePath,
  type RunResult,
  type ServiceWorld,
} from '../../../app/main/cli/service/service-world.js';
import { TokenFile } from '../../../app/main/cli/credentials/token-file.js';

const NASTY_WORD = `/Users/Ann Lee/it's "$HOME" \\ \`x\` * ; ü/c.json`;
const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

const ok: RunResult = { code: 0, stdout: '', stderr: '' };
const noBus: RunResult = {
  code: 1,
  stdout: '',
  stderr: 'Failed to connect to bus: No medium found\n',
};
const notInstalled: RunResult = { code: null, stdout: '', stderr: 'spawn ENOENT', missing: true };

/** A temp HOME with a valid config in it, and a fake runner that records each command. */
function setUp(answers: (command: string) => RunResult | undefined = () => undefined) {
  const home = mkdtempSync(path.join(tmpdir(), 'tidings-service-'));
  const config = path.join(home, 'mail', 'tidings.json');
  mkdirSync(path.dirname(config));
  writeFileSync(
    config,
    JSON.stringify({
      accounts: [{ id: 'work', host: 'imap.example.test', user: 'ann', password: 'x' }],
    }),
  );
  const calls: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const world: Partial<ServiceWorld> = {
    platform: 'linux',
    home,
    xdgConfigHome: undefined,
    uid: 1000,
    user: 'ann',
    node: '/usr/bin/node',
    script: '/opt/tidings/bin/tidings.js',
    cwd: home,
    vars: { PATH: '/usr/bin:/bin' },
    defaultStateDir: path.join(home, '.config', 'tidings'),
    run: (command, args) => {
      const line = [command, ...args].join(' ');
      calls.push(line);
      return Promise.resolve(answers(line) ?? ok);
    },
    sleep: () => Promise.resolve(),
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  };
  const run = (options: Partial<ServiceOptions>, overrides: Partial<ServiceWorld> = {}) =>
    runService({ action: 'install', desktop: true, ...options }, { ...world, ...overrides });
  return {
    home,
    config,
    calls,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    run,
    unitPath: path.join(home, '.config', 'systemd', 'user', 'tidings.service'),
  };
}

const START = [
  'systemctl --user daemon-reload',
  'systemctl --user enable tidings.service',
  'systemctl --user restart tidings.service',
];
const LINGER_QUERY = 'loginctl show-user ann --property=Linger --value';

let umask: number;
beforeEach(() => {
  // The files must be 0644 whatever the user's umask: prove it under the strictest one.
  umask = process.umask(0o077);
});
afterEach(() => {
  process.umask(umask);
});

describe('tidings service on Linux (systemd user unit)', () => {
  it('install writes the unit 0644 under ~/.config/systemd/user and reloads, enables and restarts it, in that order', async () => {
    const t = setUp();
    expect(await t.run({ config: 'mail/tidings.json' })).toBe(0);
    expect(statSync(t.unitPath).mode & 0o777).toBe(0o644);
    expect(readFileSync(t.unitPath, 'utf8')).toBe(
      renderSystemdUnit({
        node: '/usr/bin/node',
        script: '/opt/tidings/bin/tidings.js',
        config: t.config,
        stateDir: path.join(t.home, '.config', 'tidings'),
        desktop: true,
      }),
    );
    expect(t.calls).toEqual([...START, LINGER_QUERY]);
    expect(t.stdout()).toContain(`wrote ${t.unitPath}\n`);
    expect(t.stdout()).toContain('journalctl --user -u tidings -f');
    expect(readdirSync(path.dirname(t.unitPath))).toEqual(['tidings.service']);
  });

  it('install puts the unit under $XDG_CONFIG_HOME, and passes --state-dir and --no-desktop as given', async () => {
    const t = setUp();
    const xdg = path.join(t.home, 'xdg');
    const code = await t.run(
      { config: t.config, stateDir: 'elsewhere/state', desktop: false },
      { xdgConfigHome: xdg },
    );
    expect(code).toBe(0);
    const unit = readFileSync(path.join(xdg, 'systemd', 'user', 'tidings.service'), 'utf8');
    expect(unit).toContain(
      `ExecStart="/usr/bin/node" "/opt/tidings/bin/tidings.js" "watch" "--config" "${t.config}" "--state-dir" "${path.join(t.home, 'elsewhere', 'state')}" "--no-desktop"\n`,
    );
    expect(existsSync(t.unitPath)).toBe(false);
  });

  it('re-install keeps an unchanged unit, rewrites a changed one, and restarts both times', async () => {
    const t = setUp();
    await t.run({ config: t.config });
    const first = readFileSync(t.unitPath, 'utf8');
    t.calls.length = 0;
    expect(await t.run({ config: t.config })).toBe(0);
    expect(readFileSync(t.unitPath, 'utf8')).toBe(first);
    expect(t.stdout()).toContain(`kept (unchanged) ${t.unitPath}\n`);
    expect(t.calls).toEqual([...START, LINGER_QUERY]);
    expect(await t.run({ config: t.config, desktop: false })).toBe(0);
    expect(t.stdout()).toContain(`updated ${t.unitPath}\n`);
    expect(readFileSync(t.unitPath, 'utf8')).toContain('"--no-desktop"');
    expect(readdirSync(path.dirname(t.unitPath))).toEqual(['tidings.service']);
  });

  it('install says how to keep it running after logout when lingering is off, and not when it is on', async () => {
    const off = setUp((line) => (line === LINGER_QUERY ? { ...ok, stdout: 'no\n' } : undefined));
    await off.run({ config: off.config });
    expect(off.stdout()).toContain('loginctl enable-linger ann');
    const on = setUp((line) => (line === LINGER_QUERY ? { ...ok, stdout: 'yes\n' } : undefined));
    await on.run({ config: on.config });
    expect(on.stdout()).not.toContain('enable-linger');
  });

  it('install without a reachable user bus writes the unit, prints the commands to run and why, and exits 1', async () => {
    const t = setUp((line) => (line.startsWith('systemctl') ? noBus : undefined));
    expect(await t.run({ config: t.config }, { vars: {} })).toBe(1);
    expect(existsSync(t.unitPath)).toBe(true);
    expect(t.calls).toEqual(['systemctl --user daemon-reload']);
    const said = t.stdout();
    expect(said).toContain(
      'not running: systemctl --user daemon-reload failed: Failed to connect to bus: No medium found.',
    );
    expect(said).toContain('XDG_RUNTIME_DIR=unset');
    expect(said).toContain(
      '  systemctl --user daemon-reload\n  systemctl --user enable tidings.service\n  systemctl --user restart tidings.service\n',
    );
    expect(said).toContain('loginctl enable-linger ann');
  });

  it('install where systemctl is not installed at all writes the unit and says so', async () => {
    const t = setUp((line) => (line.startsWith('systemctl') ? notInstalled : undefined));
    expect(await t.run({ config: t.config })).toBe(1);
    expect(existsSync(t.unitPath)).toBe(true);
    expect(t.stdout()).toContain('daemon-reload failed: systemctl is not installed here.\n');
    expect(t.stdout()).toContain(
      `Without systemd, start it from your init system or session instead:\n  /usr/bin/node /opt/tidings/bin/tidings.js watch --config ${t.config} --state-dir ${path.join(t.home, '.config', 'tidings')}\n`,
    );
    expect(t.stdout()).not.toContain('enable-linger');
  });

  it('install stops at the step that fails and names it', async () => {
    const t = setUp((line) =>
      line.endsWith('restart tidings.service')
        ? { code: 1, stdout: '', stderr: 'Job for tidings.service failed.\n' }
        : undefined,
    );
    expect(await t.run({ config: t.config })).toBe(1);
    expect(t.calls).toEqual(START);
    expect(t.stdout()).toContain(
      'restart tidings.service failed: Job for tidings.service failed.\nSee why with:\n  systemctl --user status tidings.service\n  journalctl --user -u tidings\n',
    );
    expect(t.stdout()).not.toContain('enable-linger');
  });

  it('uninstall stops and disables the unit, removes it and reloads, in that order', async () => {
    const t = setUp();
    await t.run({ config: t.config });
    t.calls.length = 0;
    expect(await t.run({ action: 'uninstall' })).toBe(0);
    expect(t.calls).toEqual([
      'systemctl --user disable --now tidings.service',
      'systemctl --user daemon-reload',
    ]);
    expect(existsSync(t.unitPath)).toBe(false);
    expect(t.stdout()).toContain(`removed ${t.unitPath}\n`);
  });

  it('uninstall of a unit that is not there says so, runs nothing and exits 0', async () => {
    const t = setUp();
    expect(await t.run({ action: 'uninstall' })).toBe(0);
    expect(t.calls).toEqual([]);
    expect(t.stdout()).toBe(`tidings.service is not installed (no ${t.unitPath}); nothing to do\n`);
  });

  it('uninstall without a reachable bus removes the unit and its wants link, prints the commands and exits 1', async () => {
    const t = setUp((line) => (line.startsWith('systemctl') ? noBus : undefined));
    await t.run({ config: t.config });
    const wants = path.join(path.dirname(t.unitPath), 'default.target.wants');
    mkdirSync(wants);
    symlinkSync(t.unitPath, path.join(wants, 'tidings.service'));
    t.calls.length = 0;
    expect(await t.run({ action: 'uninstall' })).toBe(1);
    expect(t.calls).toEqual(['systemctl --user disable --now tidings.service']);
    expect(existsSync(t.unitPath)).toBe(false);
    expect(() => lstatSync(path.join(wants, 'tidings.service'))).toThrow(/ENOENT/);
    expect(t.stdout()).toContain(
      '  systemctl --user disable --now tidings.service\n  systemctl --user daemon-reload\n',
    );
  });

  it('status says installed or not, where, and what is-active and is-enabled answer', async () => {
    const answers: Record<string, RunResult> = {
      'systemctl --user is-active tidings.service': { code: 3, stdout: 'inactive\n', stderr: '' },
      'systemctl --user is-enabled tidings.service': { code: 0, stdout: 'enabled\n', stderr: '' },
    };
    const t = setUp((line) => answers[line]);
    expect(await t.run({ action: 'status' })).toBe(3);
    expect(t.stdout()).toBe(
      `tidings.service: not installed (${t.unitPath})\n` +
        'systemctl --user is-active: inactive\nsystemctl --user is-enabled: enabled\n',
    );
    await t.run({ config: t.config });
    const before = t.stdout().length;
    expect(await t.run({ action: 'status' })).toBe(0);
    expect(t.stdout().slice(before)).toContain(`tidings.service: installed (${t.unitPath})\n`);
  });

  it('status without a reachable bus says what systemctl said instead of an answer', async () => {
    const t = setUp((line) => (line.startsWith('systemctl') ? noBus : undefined));
    expect(await t.run({ action: 'status' })).toBe(3);
    expect(t.stdout()).toContain(
      'systemctl --user is-active: unknown (Failed to connect to bus: No medium found)\n',
    );
  });
});

describe('tidings service install refuses what it cannot run', () => {
  it('refuses a config that does not exist, naming it, and writes nothing', async () => {
    const t = setUp();
    expect(await t.run({ config: 'nope.json' })).toBe(2);
    expect(t.stderr()).toBe(
      `tidings service install: nothing installed: ${path.join(t.home, 'nope.json')}: invalid configuration\n` +
        '  cannot read the file (ENOENT)\n',
    );
    expect(existsSync(path.join(t.home, '.config'))).toBe(false);
    expect(t.calls).toEqual([]);
  });

  it('refuses a config that is not JSON, or names a bad field, and writes nothing', async () => {
    const t = setUp();
    writeFileSync(t.config, '{"accounts": [}');
    expect(await t.run({ config: t.config })).toBe(2);
    expect(t.stderr()).toContain('not valid JSON: line 1, column 15');
    writeFileSync(
      t.config,
      JSON.stringify({
        accounts: [{ id: 'w', host: 'h.test', user: 'a', password: 'x', port: '993' }],
      }),
    );
    expect(await t.run({ config: t.config })).toBe(2);
    expect(t.stderr()).toContain('accounts[0].port:');
    expect(existsSync(path.join(t.home, '.config'))).toBe(false);
    expect(t.calls).toEqual([]);
  });

  it('refuses a Node binary path with a newline, and writes nothing', async () => {
    const t = setUp();
    expect(await t.run({ config: t.config }, { node: '/opt/node\n/bin/node' })).toBe(2);
    expect(t.stderr()).toContain(
      'nothing installed: the Node binary has a control character (such as a newline) in its path',
    );
    expect(existsSync(path.join(t.home, '.config'))).toBe(false);
  });

  it('refuses an OAuth2 account not signed in to the state dir it will use, and takes it once signed in there', async () => {
    const t = setUp();
    const gmail = {
      id: 'gmail',
      host: 'imap.gmail.com',
      user: 'ann@gmail.com',
      auth: 'oauth2',
      oauth2: { provider: 'google', clientId: 'own-client' },
    };
    writeFileSync(t.config, JSON.stringify({ accounts: [gmail] }));
    const stateDir = path.join(t.home, 'state');
    expect(await t.run({ config: t.config, stateDir })).toBe(2);
    expect(t.stderr()).toContain(
      `accounts[0]: not signed in: run tidings login --config ${t.config} gmail`,
    );
    expect(existsSync(t.unitPath)).toBe(false);
    const binding = { tokenUrl: 'https://oauth2.googleapis.com/token', clientId: 'own-client' };
    await new TokenFile(stateDir, quietLogger).save('gmail', binding, 'refresh-token');
    expect(await t.run({ config: t.config, stateDir })).toBe(0);
    expect(readFileSync(t.unitPath, 'utf8')).toContain(`"--state-dir" "${stateDir}"`);
  });

  it('needs --config to install', async () => {
    const t = setUp();
    expect(await t.run({})).toBe(2);
    expect(t.stderr()).toBe('tidings service install: give the config: --config FILE\n');
  });

  it("warns that an account's passwordEnv will not reach the service", async () => {
    const t = setUp();
    writeFileSync(
      t.config,
      JSON.stringify({
        accounts: [{ id: 'work', host: 'h.test', user: 'a', passwordEnv: 'MAILPW' }],
      }),
    );
    expect(await t.run({ config: t.config }, { vars: { MAILPW: 'x' } })).toBe(0);
    expect(t.stderr()).toContain(
      "warning: accounts[0] (work) reads MAILPW from the environment, and the service does not get this shell's",
    );
  });
});

describe('tidings service on macOS (launchd agent)', () => {
  const target = 'gui/501/app.tidings.watch';
  const notLoaded: RunResult = {
    code: 113,
    stdout: '',
    stderr: `Could not find service "app.tidings.watch" in domain for user gui: 501\n`,
  };
  const mac = { platform: 'darwin' as const, uid: 501 };

  it('install writes the plist 0644 in ~/Library/LaunchAgents, makes the log folder, enables and bootstraps it', async () => {
    const t = setUp((line) => (line.startsWith('launchctl print') ? notLoaded : undefined));
    expect(await t.run({ config: t.config }, mac)).toBe(0);
    const plistPath = path.join(t.home, 'Library', 'LaunchAgents', 'app.tidings.watch.plist');
    expect(statSync(plistPath).mode & 0o777).toBe(0o644);
    expect(statSync(path.join(t.home, 'Library', 'Logs', 'Tidings')).isDirectory()).toBe(true);
    const plist = parse(readFileSync(plistPath, 'utf8')) as Record<string, unknown>;
    expect(plist.ProgramArguments).toEqual([
      '/usr/bin/node',
      '/opt/tidings/bin/tidings.js',
      'watch',
      '--config',
      t.config,
      '--state-dir',
      path.join(t.home, '.config', 'tidings'),
    ]);
    expect(plist.StandardOutPath).toBe(path.join(t.home, 'Library/Logs/Tidings/watch.log'));
    expect(t.calls).toEqual([
      `launchctl print ${target}`,
      `launchctl enable ${target}`,
      `launchctl bootstrap gui/501 ${plistPath}`,
    ]);
    expect(t.stdout()).toContain(`its log: ${path.join(t.home, 'Library/Logs/Tidings/watch.log')}`);
  });

  it('re-install boots the loaded agent out and waits until it is gone before bootstrapping', async () => {
    let prints = 0;
    const t = setUp((line) => {
      if (!line.startsWith('launchctl print')) return undefined;
      prints++;
      return prints <= 2 ? ok : notLoaded;
    });
    expect(await t.run({ config: t.config }, mac)).toBe(0);
    expect(t.calls).toEqual([
      `launchctl print ${target}`,
      `launchctl bootout ${target}`,
      `launchctl print ${target}`,
      `launchctl print ${target}`,
      `launchctl enable ${target}`,
      `launchctl bootstrap gui/501 ${path.join(t.home, 'Library/LaunchAgents/app.tidings.watch.plist')}`,
    ]);
  });

  it('install prints the command to run and exits 1 when bootstrap fails', async () => {
    const t = setUp((line) => {
      if (line.startsWith('launchctl print')) return notLoaded;
      if (line.startsWith('launchctl bootstrap')) {
        return { code: 5, stdout: '', stderr: 'Bootstrap failed: 5: Input/output error\n' };
      }
      return undefined;
    });
    expect(await t.run({ config: t.config }, mac)).toBe(1);
    expect(t.stdout()).toContain(
      'launchctl bootstrap failed: Bootstrap failed: 5: Input/output error.',
    );
    expect(t.stdout()).toContain(
      `  launchctl bootstrap gui/501 ${path.join(t.home, 'Library/LaunchAgents/app.tidings.watch.plist')}\n`,
    );
  });

  it('uninstall boots the agent out and removes the plist; a missing one is said and exits 0', async () => {
    let loaded = false;
    const t = setUp((line) =>
      line.startsWith('launchctl print') ? (loaded ? ok : notLoaded) : undefined,
    );
    expect(await t.run({ action: 'uninstall' }, mac)).toBe(0);
    expect(t.stdout()).toContain('app.tidings.watch is not installed');
    expect(t.calls).toEqual([`launchctl print ${target}`]);
    await t.run({ config: t.config }, mac);
    loaded = true;
    t.calls.length = 0;
    expect(await t.run({ action: 'uninstall' }, mac)).toBe(0);
    expect(t.calls).toEqual([`launchctl print ${target}`, `launchctl bootout ${target}`]);
    expect(existsSync(path.join(t.home, 'Library/LaunchAgents/app.tidings.watch.plist'))).toBe(
      false,
    );
    expect(t.stdout()).toContain('unloaded app.tidings.watch\n');
  });

  it("status shows launchctl print's state, pid and last exit code", async () => {
    const printed = [
      `gui/501/app.tidings.watch = {`,
      `\tactive count = 1`,
      `\tstate = running`,
      `\tprogram = /usr/bin/node`,
      `\tpid = 4242`,
      `\tlast exit code = (never exited)`,
      `}`,
    ].join('\n');
    const t = setUp((line) =>
      line.startsWith('launchctl print') ? { ...ok, stdout: printed } : undefined,
    );
    expect(await t.run({ action: 'status' }, mac)).toBe(3);
    expect(t.stdout()).toContain(
      `${target}: loaded\n  state = running\n  pid = 4242\n  last exit code = (never exited)\n`,
    );
  });
});

describe('tidings service elsewhere', () => {
  it('on Windows says what to do instead, with the exact Task Scheduler command, and writes nothing', async () => {
    const t = setUp();
    const code = await t.run(
      { config: t.config },
      {
        platform: 'win32',
        node: 'C:\\Program Files\\nodejs\\node.exe',
        script: 'C:\\tidings\\bin\\tidings.js',
      },
    );
    expect(code).toBe(2);
    expect(t.stderr()).toBe(
      'tidings service: Windows has no user service for Tidings to install.\n' +
        'Use the desktop app (Settings: "Start Tidings when I log in"),\n' +
        'or run tidings watch at logon with Task Scheduler, in Command Prompt:\n' +
        `  schtasks /Create /TN Tidings /SC ONLOGON /RL LIMITED /F /TR "\\"C:\\Program Files\\nodejs\\node.exe\\" C:\\tidings\\bin\\tidings.js watch --config ${t.config} --state-dir ${path.join(t.home, '.config', 'tidings')}"\n`,
    );
    expect(readdirSync(t.home)).toEqual(['mail']);
    expect(t.calls).toEqual([]);
  });

  it('on another platform says there is no user service support, exit 2', async () => {
    const t = setUp();
    expect(await t.run({ action: 'status' }, { platform: 'freebsd' })).toBe(2);
    expect(t.stderr()).toBe(
      'tidings service status: no user service support on freebsd: run tidings watch from your init system\n',
    );
  });
});

describe('the real machine', () => {
  it('runs bin/tidings.js of this checkout, with the Node running now', () => {
    const world = createServiceWorld();
    expect(world.script).toBe(path.resolve('bin', 'tidings.js'));
    expect(existsSync(world.script)).toBe(true);
    expect(world.node).toBe(stableNodePath(process.execPath, process.env.PATH));
  });

  it('names Node by the first link to it on PATH, so an upgrade that moves the binary keeps the service working', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-node-link-'));
    const link = path.join(dir, path.basename(process.execPath));
    symlinkSync(process.execPath, link);
    const other = mkdtempSync(path.join(tmpdir(), 'tidings-other-node-'));
    writeFileSync(path.join(other, path.basename(process.execPath)), '#!/bin/sh\n');
    expect(stableNodePath(process.execPath, `relative:${other}:${dir}:/usr/bin`)).toBe(link);
    expect(stableNodePath(process.execPath, other)).toBe(process.execPath);
    expect(stableNodePath(process.execPath, undefined)).toBe(process.execPath);
  });

  it('quotes the paths in the commands it prints so that sh reads them back whole', () => {
    for (const word of [NASTY_WORD, '/plain/path.json', '']) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`]).toString();
      expect(echoed).toBe(word);
    }
  });

  it('runner reports a command that is not installed as missing, and passes output and exit codes on', async () => {
    expect(
      await runCommand(path.join(tmpdir(), 'tidings-no-such-dir', 'systemctl'), []),
    ).toMatchObject({ missing: true });
    expect(
      await runCommand(process.execPath, ['-e', 'console.log("out"); process.exit(3)']),
    ).toEqual({
      code: 3,
      stdout: 'out\n',
      stderr: '',
    });
  });
});
