#!/usr/bin/env node
/**
 * npm's `pretest`: makes sure this machine has what `npm test` needs (Dovecot, openssl,
 * Chromium; for the real popups test a D-Bus session bus, notify-send and Python's D-Bus
 * bindings; systemd-analyze). Missing pieces are installed with apt-get when it may (root,
 * or passwordless sudo); otherwise it stops at once with the one command that would. It also
 * says whether the desktop end-to-end smoke test, which `npm test` does not run, can run here.
 * TIDINGS_SKIP_DEPS_CHECK=1 skips it all; TIDINGS_DEPS_ROOT (a fake `/`) is for its own tests.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronDir, findElectronBinary } from './electron-binary.mjs';

const NAME = 'check-test-deps';

/**
 * What the suites need: how to tell it is there, the Debian package that brings it, and why.
 * Ubuntu's `chromium` package is only a wrapper that installs a snap, which apt cannot be
 * trusted to finish (no snapd in a container) and which lands in /snap/bin: there the user
 * is told how to get it instead.
 */
export function listRequirements(env, osId = 'debian') {
  const ubuntu = osId === 'ubuntu';
  return [
    // DOVECOT_BIN, CHROMIUM_PATH and TIDINGS_TEST_PYTHON3 are the suites' own overrides:
    // check what they will run.
    {
      file: env.DOVECOT_BIN ?? '/usr/sbin/dovecot',
      pkg: env.DOVECOT_BIN ? undefined : 'dovecot-imapd',
      why: 'the integration suites run a throwaway Dovecot',
    },
    { command: 'openssl', pkg: 'openssl', why: 'the TLS suite makes its CA with openssl' },
    {
      file: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      pkg: env.CHROMIUM_PATH || ubuntu ? undefined : 'chromium',
      why: "the settings window's tests drive Chromium",
      ...(ubuntu && !env.CHROMIUM_PATH
        ? {
            manual:
              'Ubuntu has Chromium only as a snap: `sudo snap install chromium`, then ' +
              '`CHROMIUM_PATH=/snap/bin/chromium npm test`',
          }
        : {}),
    },
    // The real popups test (test/cli/desktop-popups.test.ts): a private session bus
    // (dbus-run-session: in dbus-daemon since Debian 12, which `dbus` brings; in `dbus`
    // itself before), notify-send as tidings watch runs it, and a notification server in
    // Python with Debian's bindings (directories: found by the same executable check).
    {
      command: 'dbus-run-session',
      pkg: 'dbus',
      why: 'the popups test runs a private D-Bus session bus',
    },
    {
      command: 'notify-send',
      pkg: 'libnotify-bin',
      why: 'tidings watch shows Linux popups with notify-send',
    },
    // What notify-send cannot call (GetCapabilities, CloseNotification) goes through either.
    {
      command: 'dbus-send',
      pkg: 'dbus',
      why: 'tidings watch closes replaced popups with gdbus or dbus-send',
    },
    {
      command: 'gdbus',
      pkg: 'libglib2.0-bin',
      why: 'tidings watch closes replaced popups with gdbus or dbus-send',
    },
    ...(env.TIDINGS_TEST_PYTHON3
      ? [{ file: env.TIDINGS_TEST_PYTHON3, why: 'the test notification server runs on it' }]
      : [
          {
            file: '/usr/bin/python3',
            pkg: 'python3',
            why: 'the test notification server is Python',
          },
          {
            file: '/usr/lib/python3/dist-packages/dbus',
            pkg: 'python3-dbus',
            why: 'the test notification server serves D-Bus with python3-dbus',
          },
          {
            file: '/usr/lib/python3/dist-packages/gi',
            pkg: 'python3-gi',
            why: "the test notification server runs GLib's main loop",
          },
        ]),
    {
      command: 'systemd-analyze',
      pkg: 'systemd',
      why: 'the user service test checks its unit with systemd-analyze verify',
    },
    // Dovecot started as root drops privileges to these; dovecot-core's postinst creates them.
    {
      users: ['dovecot', 'dovenull'],
      rootOnly: true,
      pkg: 'dovecot-core',
      why: 'Dovecot run as root needs its dovecot and dovenull users',
    },
  ];
}

/** The requirements `probe` does not find, each with a `missing` phrase saying what is absent. */
export function findMissing(requirements, probe) {
  const missing = [];
  for (const req of requirements) {
    if (req.file && !probe.hasFile(req.file)) missing.push({ ...req, missing: `no ${req.file}` });
    if (req.command && !probe.hasCommand(req.command)) {
      missing.push({ ...req, missing: `no ${req.command} command` });
    }
    // dovecot-imapd brings dovecot-core and so the users: a missing Dovecot says it all.
    const dovecotMissing = missing.some((item) => item.pkg === 'dovecot-imapd');
    if (req.users && (!req.rootOnly || probe.isRoot) && !dovecotMissing) {
      const known = probe.systemUsers();
      const absent = req.users.filter((user) => !known.has(user));
      if (absent.length) missing.push({ ...req, missing: `no ${absent.join(', ')} system users` });
    }
  }
  return missing;
}

/** Decides what to do about `missing`: nothing, install (as root or through sudo), or refuse. */
export function planInstall(missing, probe) {
  if (!missing.length) return { action: 'none' };
  const packages = [...new Set(missing.map((item) => item.pkg).filter(Boolean))];
  // Only dovecot-core for its users means it is installed already: reinstalling re-runs
  // the postinst that creates them.
  const reinstall = packages.length === 1 && packages[0] === 'dovecot-core';
  if (missing.some((item) => item.manual)) return { action: 'refuse', packages, reason: 'manual' };
  if (missing.some((item) => !item.pkg)) return { action: 'refuse', packages, reason: 'override' };
  if (!probe.hasCommand('apt-get')) return { action: 'refuse', packages, reason: 'no apt-get' };
  if (probe.isRoot) return { action: 'install', packages, sudo: false, reinstall };
  if (probe.canSudo()) return { action: 'install', packages, sudo: true, reinstall };
  return { action: 'refuse', packages, reason: 'no root' };
}

/** The lines that explain a refusal: each missing piece, and the one command that fixes it. */
export function describeRefusal(missing, plan) {
  const why = {
    'no root': 'not root and no passwordless sudo',
    'no apt-get': 'no apt-get on this machine',
    override: 'a path given in DOVECOT_BIN, CHROMIUM_PATH or TIDINGS_TEST_PYTHON3 does not exist',
    manual: 'not every piece comes from apt here',
  }[plan.reason];
  const lines = [
    `${NAME}: npm test needs what this machine lacks, and cannot install it (${why}):`,
  ];
  for (const item of missing) {
    lines.push(`  ${item.pkg ?? 'not a package'}: ${item.missing} (${item.why})`);
    if (item.manual) lines.push(`    ${item.manual}`);
  }
  if (plan.packages.length) {
    const flag = plan.reinstall ? '--reinstall ' : '';
    lines.push(`Install with: sudo apt-get install ${flag}${plan.packages.join(' ')}`);
  }
  lines.push('(TIDINGS_SKIP_DEPS_CHECK=1 skips this check.)');
  return lines;
}

export { findElectronBinary };

/** The one line about the desktop end-to-end smoke test, which `npm test` leaves out. */
export function describeE2e(electronBinary) {
  const where = electronBinary
    ? 'run `npm run test:e2e`'
    : 'not run here: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD)';
  return `${NAME}: the desktop end-to-end smoke test is not part of npm test; ${where}`;
}

/** This machine as the checks see it, with `/` moved to TIDINGS_DEPS_ROOT when that is set. */
export function createProbe(env) {
  const root = env.TIDINGS_DEPS_ROOT ?? '/';
  const hasCommand = (name) =>
    (env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, name)));
  return {
    isRoot: process.getuid?.() === 0,
    hasFile: (file) => isExecutable(path.join(root, file)),
    hasCommand,
    // ID= of os-release(5): "debian", "ubuntu", …
    osId: () => {
      const file = path.join(root, 'etc/os-release');
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      return /^ID="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'unknown';
    },
    systemUsers: () => {
      const file = path.join(root, 'etc/passwd');
      const passwd = existsSync(file) ? readFileSync(file, 'utf8') : '';
      return new Set(passwd.split('\n').map((line) => line.split(':')[0]));
    },
    // -n: fail at once instead of asking for a password nobody is there to type.
    canSudo: () =>
      hasCommand('sudo') &&
      spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 5_000, env }).status === 0,
  };
}

/** Runs the check; resolves with the exit code. `run` executes a command with inherited stdio. */
export function main({ env, probe, electronDir, out, err, run }) {
  if (env.TIDINGS_SKIP_DEPS_CHECK === '1') return 0;
  const requirements = listRequirements(env, probe.osId?.());
  const missing = findMissing(requirements, probe);
  const plan = planInstall(missing, probe);
  if (plan.action === 'refuse') {
    describeRefusal(missing, plan).forEach((line) => err(line));
    return 1;
  }
  if (plan.action === 'install') {
    const reasons = [...new Set(missing.map((item) => item.why))].join('; ');
    out(`${NAME}: installing ${plan.packages.join(' ')} with apt-get, because ${reasons}`);
    // sudo resets the environment; `env` carries DEBIAN_FRONTEND past it.
    const prefix = plan.sudo ? ['sudo', '-n', 'env'] : ['env'];
    const apt = (...args) => {
      const [command, ...rest] = [...prefix, 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
      return run(command, rest);
    };
    const install = ['install', '-y', '-q', '--no-install-recommends'];
    if (plan.reinstall) install.push('--reinstall');
    let status = apt('update', '-q');
    if (status === 0) status = apt(...install, ...plan.packages);
    if (status !== 0) {
      err(
        `${NAME}: apt-get failed (exit ${status}); install by hand: sudo apt-get install ${plan.packages.join(' ')}`,
      );
      return 1;
    }
    const still = findMissing(requirements, probe);
    if (still.length) {
      still.forEach((item) => err(`${NAME}: still missing after apt-get: ${item.missing}`));
      return 1;
    }
  }
  out(describeE2e(findElectronBinary(electronDir)));
  return 0;
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main({
    env: process.env,
    probe: createProbe(process.env),
    electronDir,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    run: (command, args) => spawnSync(command, args, { stdio: 'inherit' }).status ?? 1,
  });
}
