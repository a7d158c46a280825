#!/usr/bin/env node
/**
 * npm's `pretest`: makes sure this machine has what `npm test` needs (Dovecot, openssl,
 * Chromium; for the real popups tests a private D-Bus session bus and Python's D-Bus
 * bindings; systemd-analyze; Cyrus and Courier for the server suite). Missing pieces are installed with apt-get when it may (root,
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
 * Debian's cyrus-imapd, courier-imap and dovecot-imapd conflict (each provides and conflicts
 * with imap-server): installing one removes the others. The server suite's Cyrus and Courier
 * are therefore unpacked here with `dpkg-deb -x`, never installed; their libraries and tools
 * (cyrus-common, courier-base, …) install normally. CYRUS_BIN_DIR and COURIER_IMAP_DIR are the
 * suite's overrides.
 */
export const UNPACKED_DIR = '/opt/tidings-test-servers';

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
    // The real popups tests (test/cli/output/desktop-popups.test.ts, test/freedesktop): a
    // private session bus (dbus-run-session: in dbus-daemon since Debian 12, which `dbus`
    // brings; in `dbus` itself before), a bare bus with no notification server on it
    // (dbus-daemon), and a notification server in Python with Debian's bindings
    // (directories: found by the same executable check). Tidings itself speaks D-Bus in
    // JavaScript: no notify-send, gdbus or dbus-send.
    {
      command: 'dbus-run-session',
      pkg: 'dbus',
      why: 'the popups tests run a private D-Bus session bus',
    },
    {
      command: 'dbus-daemon',
      pkg: 'dbus',
      why: 'the popups tests run a bus with no notification server on it',
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
    {
      file: '/lib/systemd/systemd',
      pkg: 'systemd',
      why: 'the user service test reads its unit back with systemd --test',
    },
    // The server suite (test/servers): Cyrus 3.6 and Courier 5.0 beside Dovecot.
    ...serverSuiteRequirements(env),
    // Dovecot started as root drops privileges to these; dovecot-core's postinst creates them.
    {
      users: ['dovecot', 'dovenull'],
      rootOnly: true,
      pkg: 'dovecot-core',
      why: 'Dovecot run as root needs its dovecot and dovenull users',
    },
  ];
}

function serverSuiteRequirements(env) {
  const why = 'the server suite runs a throwaway Cyrus and Courier';
  return [
    { file: '/usr/sbin/cyrmaster', pkg: 'cyrus-common', why },
    { file: '/usr/sbin/saslpasswd2', pkg: 'sasl2-bin', why },
    { file: '/usr/sbin/couriertcpd', pkg: 'courier-base', why },
    { file: '/usr/lib/courier/courier-authlib/authdaemond', pkg: 'courier-authdaemon', why },
    { file: '/usr/sbin/makeuserdb', pkg: 'courier-authlib-userdb', why },
    { file: '/usr/libexec/gam_server', pkg: 'gamin', why },
    env.CYRUS_BIN_DIR
      ? { file: path.join(env.CYRUS_BIN_DIR, 'imapd'), why }
      : { file: `${UNPACKED_DIR}/cyrus-imapd/usr/lib/cyrus/bin/imapd`, unpack: 'cyrus-imapd', why },
    env.COURIER_IMAP_DIR
      ? { file: path.join(env.COURIER_IMAP_DIR, 'usr/bin/imapd'), why }
      : { file: `${UNPACKED_DIR}/courier-imap/usr/bin/imapd`, unpack: 'courier-imap', why },
    // Their daemons drop privileges to these; the packages' postinst scripts create them.
    { users: ['cyrus'], rootOnly: true, pkg: 'cyrus-common', why },
    { users: ['courier'], rootOnly: true, pkg: 'courier-base', why },
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
    // A package that is missing brings its users: a missing Dovecot (or Cyrus) says it all.
    const bringsUsers = req.pkg === 'dovecot-core' ? 'dovecot-imapd' : req.pkg;
    const packageMissing = missing.some((item) => item.pkg === bringsUsers && !item.users);
    if (req.users && (!req.rootOnly || probe.isRoot) && !packageMissing) {
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
  const unpack = [...new Set(missing.map((item) => item.unpack).filter(Boolean))];
  // Only users missing means their packages are installed already: reinstalling re-runs
  // the postinst that creates them.
  const reinstall = packages.length > 0 && missing.every((item) => item.users);
  const ask = { packages, unpack };
  if (missing.some((item) => item.manual)) return { action: 'refuse', ...ask, reason: 'manual' };
  if (missing.some((item) => !item.pkg && !item.unpack)) {
    return { action: 'refuse', ...ask, reason: 'override' };
  }
  if (!probe.hasCommand('apt-get')) return { action: 'refuse', ...ask, reason: 'no apt-get' };
  if (probe.isRoot) return { action: 'install', ...ask, sudo: false, reinstall };
  if (probe.canSudo()) return { action: 'install', ...ask, sudo: true, reinstall };
  return { action: 'refuse', ...ask, reason: 'no root' };
}

/** The lines that explain a refusal: each missing piece, and the one command that fixes it. */
export function describeRefusal(missing, plan) {
  const why = {
    'no root': 'not root and no passwordless sudo',
    'no apt-get': 'no apt-get on this machine',
    override:
      'a path given in DOVECOT_BIN, CHROMIUM_PATH, TIDINGS_TEST_PYTHON3, CYRUS_BIN_DIR or ' +
      'COURIER_IMAP_DIR does not exist',
    manual: 'not every piece comes from apt here',
  }[plan.reason];
  const lines = [
    `${NAME}: npm test needs what this machine lacks, and cannot install it (${why}):`,
  ];
  for (const item of missing) {
    const name = item.pkg ?? (item.unpack ? `${item.unpack} (unpacked)` : 'not a package');
    lines.push(`  ${name}: ${item.missing} (${item.why})`);
    if (item.manual) lines.push(`    ${item.manual}`);
  }
  if (plan.packages.length) {
    const flag = plan.reinstall ? '--reinstall ' : '';
    lines.push(`Install with: sudo apt-get install ${flag}${plan.packages.join(' ')}`);
  }
  for (const pkg of plan.unpack ?? []) {
    lines.push(`Unpack (never install: it would remove dovecot-imapd): ${unpackCommand(pkg)}`);
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
    const what = [...plan.packages, ...plan.unpack.map((pkg) => `${pkg} (unpacked)`)];
    out(`${NAME}: installing ${what.join(' ')} with apt-get, because ${reasons}`);
    // sudo resets the environment; `env` carries DEBIAN_FRONTEND past it.
    const prefix = plan.sudo ? ['sudo', '-n', 'env'] : ['env'];
    const apt = (...args) => {
      const [command, ...rest] = [...prefix, 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
      return run(command, rest);
    };
    const install = ['install', '-y', '-q', '--no-install-recommends'];
    if (plan.reinstall) install.push('--reinstall');
    let status = apt('update', '-q');
    if (status === 0 && plan.packages.length) status = apt(...install, ...plan.packages);
    if (status !== 0) {
      err(
        `${NAME}: apt-get failed (exit ${status}); install by hand: sudo apt-get install ${plan.packages.join(' ')}`,
      );
      return 1;
    }
    for (const pkg of plan.unpack) {
      const sh = [...(plan.sudo ? ['sudo', '-n'] : []), 'sh', '-c', unpackCommand(pkg, env)];
      status = run(sh[0], sh.slice(1));
      if (status !== 0) {
        err(`${NAME}: unpacking ${pkg} failed (exit ${status}); by hand: ${unpackCommand(pkg)}`);
        return 1;
      }
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

/**
 * Downloads `pkg` (into a directory apt's sandbox user may write) and unpacks it under
 * UNPACKED_DIR, replacing an older copy. Under TIDINGS_DEPS_ROOT the target moves with `/`.
 */
export function unpackCommand(pkg, env = {}) {
  const root = env.TIDINGS_DEPS_ROOT ?? '';
  const target = `${root}${UNPACKED_DIR}/${pkg}`;
  return [
    'set -e',
    'work=$(mktemp -d)',
    'chmod 777 "$work"',
    `cd "$work" && DEBIAN_FRONTEND=noninteractive apt-get download -q ${pkg}`,
    `rm -rf '${target}' && mkdir -p '${target}'`,
    `dpkg-deb -x "$work"/${pkg}_*.deb '${target}'`,
    'rm -rf "$work"',
  ].join('; ');
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
