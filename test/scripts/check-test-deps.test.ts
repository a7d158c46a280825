import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/** What the script's checks ask of a machine (see createProbe in the script). */
interface Probe {
  isRoot: boolean;
  hasFile(file: string): boolean;
  hasCommand(name: string): boolean;
  systemUsers(): Set<string>;
  canSudo(): boolean;
  osId?(): string;
}

/** The script's exports used here; it is plain JavaScript, so its shape is stated once. */
interface CheckTestDeps {
  main(options: {
    env: Record<string, string | undefined>;
    probe: Probe;
    electronDir: string;
    out(line: string): void;
    err(line: string): void;
    run(command: string, args: string[]): number;
  }): number;
  findElectronBinary(electronDir: string): string | undefined;
  describeE2e(electronBinary: string | undefined): string;
  unpackCommand(pkg: string, env?: Record<string, string>): string;
}

const SCRIPT = fileURLToPath(new URL('../../scripts/check-test-deps.mjs', import.meta.url));
const deps = (await import(pathToFileURL(SCRIPT).href)) as CheckTestDeps;

// The Python of the test notification server and its D-Bus and GLib bindings.
const PYTHON_FILES = [
  '/usr/bin/python3',
  '/usr/lib/python3/dist-packages/dbus',
  '/usr/lib/python3/dist-packages/gi',
];
// Cyrus and Courier of the server suite: tools installed, the servers themselves unpacked.
const SERVER_FILES = [
  // Not a server: systemd's own parser, for the user service test.
  '/lib/systemd/systemd',
  '/usr/sbin/cyrmaster',
  '/usr/sbin/saslpasswd2',
  '/usr/sbin/couriertcpd',
  '/usr/lib/courier/courier-authlib/authdaemond',
  '/usr/sbin/makeuserdb',
  '/usr/libexec/gam_server',
  '/opt/tidings-test-servers/cyrus-imapd/usr/lib/cyrus/bin/imapd',
  '/opt/tidings-test-servers/courier-imap/usr/bin/imapd',
];
const SERVER_USERS = ['cyrus', 'courier'];
const EVERYTHING = {
  files: ['/usr/sbin/dovecot', '/usr/bin/chromium', ...PYTHON_FILES, ...SERVER_FILES],
  commands: ['openssl', 'apt-get', 'dbus-run-session', 'dbus-daemon', 'systemd-analyze'],
  users: ['dovecot', 'dovenull', ...SERVER_USERS],
};
/** Everything but Dovecot and Chromium (and so the dovecot users). */
const ALL_BUT_DOVECOT_AND_CHROMIUM = {
  files: [...PYTHON_FILES, ...SERVER_FILES],
  commands: EVERYTHING.commands,
  users: SERVER_USERS,
};

/** A machine with `have` installed, whose apt-get installs everything (unless it fails). */
function fakeMachine(
  have: Partial<typeof EVERYTHING>,
  who: { root: boolean; sudo?: boolean; os?: string },
) {
  const files = new Set(have.files);
  const commands = new Set(have.commands);
  const users = new Set(have.users);
  const runs: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let aptStatus = 0;
  const probe: Probe = {
    isRoot: who.root,
    hasFile: (file) => files.has(file),
    hasCommand: (name) => commands.has(name),
    systemUsers: () => users,
    canSudo: () => who.sudo ?? false,
    osId: () => who.os ?? 'debian',
  };
  const check = (env: Record<string, string> = {}) =>
    deps.main({
      env,
      probe,
      electronDir: '/nonexistent/electron',
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      run: (command, args) => {
        runs.push([command, ...args].join(' '));
        const unpacking = command === 'sh' && args[1]?.includes('dpkg-deb -x');
        if (aptStatus === 0 && (args.includes('install') || unpacking)) {
          EVERYTHING.files.forEach((file) => files.add(file));
          EVERYTHING.commands.forEach((name) => commands.add(name));
          EVERYTHING.users.forEach((user) => users.add(user));
        }
        return aptStatus;
      },
    });
  return { check, runs, out, err, failApt: () => (aptStatus = 100) };
}

describe('check-test-deps decides', () => {
  it('prints one line about the end-to-end test and installs nothing when nothing is missing', () => {
    const machine = fakeMachine(EVERYTHING, { root: true });
    expect(machine.check()).toBe(0);
    expect(machine.runs).toEqual([]);
    expect(machine.err).toEqual([]);
    expect(machine.out).toEqual([
      'check-test-deps: the desktop end-to-end smoke test is not part of npm test; not run here: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD)',
    ]);
  });

  it('names each missing package and the one command, and exits 1, without root or sudo', () => {
    const machine = fakeMachine({ commands: ['apt-get'] }, { root: false, sudo: false });
    expect(machine.check()).toBe(1);
    expect(machine.runs).toEqual([]);
    const message = machine.err.join('\n');
    expect(message).toContain('not root and no passwordless sudo');
    expect(message).toMatch(/dovecot-imapd: no \/usr\/sbin\/dovecot/);
    expect(message).toMatch(/openssl: no openssl command/);
    expect(message).toMatch(/chromium: no \/usr\/bin\/chromium/);
    expect(message).toMatch(/dbus: no dbus-daemon command/);
    expect(message).toMatch(/python3-dbus: no \/usr\/lib\/python3\/dist-packages\/dbus/);
    expect(message).toContain(
      'sudo apt-get install dovecot-imapd openssl chromium dbus python3 python3-dbus python3-gi systemd',
    );
  });

  it('on Ubuntu, where Chromium is only a snap, says how to get it instead of apt-installing it', () => {
    const machine = fakeMachine(
      { ...ALL_BUT_DOVECOT_AND_CHROMIUM, users: ['dovecot', 'dovenull', ...SERVER_USERS] },
      { root: true, os: 'ubuntu' },
    );
    expect(machine.check()).toBe(1);
    expect(machine.runs).toEqual([]);
    const message = machine.err.join('\n');
    expect(message).toMatch(/not a package: no \/usr\/bin\/chromium/);
    expect(message).toContain('sudo snap install chromium');
    expect(message).toContain('CHROMIUM_PATH=/snap/bin/chromium npm test');
    expect(message).toContain('sudo apt-get install dovecot-imapd');
    // With CHROMIUM_PATH pointing at the snap, Ubuntu is like any other machine.
    const withSnap = fakeMachine(
      {
        ...EVERYTHING,
        files: ['/usr/sbin/dovecot', '/snap/bin/chromium', ...PYTHON_FILES, ...SERVER_FILES],
      },
      { root: true, os: 'ubuntu' },
    );
    expect(withSnap.check({ CHROMIUM_PATH: '/snap/bin/chromium' })).toBe(0);
  });

  it('refuses with exit 1 on a machine without apt-get, even as root', () => {
    const machine = fakeMachine({ files: ['/usr/sbin/dovecot'] }, { root: true });
    expect(machine.check()).toBe(1);
    expect(machine.err.join('\n')).toContain('no apt-get on this machine');
    expect(machine.err.join('\n')).toContain('sudo apt-get install openssl chromium');
  });

  it('says what it installs and why, then runs apt-get update once and install, as root', () => {
    const machine = fakeMachine(ALL_BUT_DOVECOT_AND_CHROMIUM, { root: true });
    expect(machine.check()).toBe(0);
    expect(machine.out[0]).toMatch(
      /^check-test-deps: installing dovecot-imapd chromium with apt-get, because .*Dovecot.*Chromium/,
    );
    expect(machine.runs).toEqual([
      'env DEBIAN_FRONTEND=noninteractive apt-get update -q',
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dovecot-imapd chromium',
    ]);
    expect(machine.out.at(-1)).toContain('end-to-end smoke test');
  });

  it('unpacks Cyrus and Courier with dpkg-deb instead of installing them, which would remove Dovecot', () => {
    const have = {
      ...EVERYTHING,
      files: EVERYTHING.files.filter((file) => !file.startsWith('/opt/tidings-test-servers/')),
    };
    const machine = fakeMachine(have, { root: true });
    expect(machine.check()).toBe(0);
    expect(machine.out[0]).toMatch(
      /^check-test-deps: installing cyrus-imapd \(unpacked\) courier-imap \(unpacked\) with apt-get/,
    );
    expect(machine.runs[0]).toBe('env DEBIAN_FRONTEND=noninteractive apt-get update -q');
    expect(machine.runs.slice(1)).toEqual([
      `sh -c ${deps.unpackCommand('cyrus-imapd')}`,
      `sh -c ${deps.unpackCommand('courier-imap')}`,
    ]);
    expect(machine.runs.join('\n')).not.toMatch(/apt-get install/);
    expect(deps.unpackCommand('cyrus-imapd')).toMatch(
      /apt-get download -q cyrus-imapd; .*dpkg-deb -x "\$work"\/cyrus-imapd_\*\.deb '\/opt\/tidings-test-servers\/cyrus-imapd'/,
    );
  });

  it('installs through sudo -n when passwordless sudo works', () => {
    const have = { ...EVERYTHING, files: ['/usr/sbin/dovecot', ...PYTHON_FILES, ...SERVER_FILES] };
    const machine = fakeMachine(have, { root: false, sudo: true });
    expect(machine.check()).toBe(0);
    expect(machine.runs).toEqual([
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -q',
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium',
    ]);
  });

  it('reinstalls dovecot-core when only its system users are missing, as root', () => {
    const machine = fakeMachine(
      { ...EVERYTHING, users: ['dovecot', ...SERVER_USERS] },
      { root: true },
    );
    expect(machine.check()).toBe(0);
    expect(machine.out[0]).toContain('installing dovecot-core');
    expect(machine.runs[1]).toMatch(/install .*--reinstall dovecot-core$/);
  });

  it('does not ask for the dovecot users when not root', () => {
    const machine = fakeMachine({ ...EVERYTHING, users: [] }, { root: false });
    expect(machine.check()).toBe(0);
    expect(machine.runs).toEqual([]);
  });

  it('exits 1 with the manual command when apt-get fails', () => {
    const machine = fakeMachine({ commands: ['apt-get'] }, { root: true });
    machine.failApt();
    expect(machine.check()).toBe(1);
    expect(machine.runs).toHaveLength(1);
    expect(machine.err.join('\n')).toMatch(/apt-get failed \(exit 100\).*sudo apt-get install/);
  });

  it('checks the paths in DOVECOT_BIN and CHROMIUM_PATH, which no package can fix', () => {
    const machine = fakeMachine(EVERYTHING, { root: true });
    expect(machine.check({ CHROMIUM_PATH: '/opt/chrome' })).toBe(1);
    expect(machine.err.join('\n')).toContain('no /opt/chrome');
    expect(machine.runs).toEqual([]);
  });

  it('does nothing at all with TIDINGS_SKIP_DEPS_CHECK=1', () => {
    const machine = fakeMachine({}, { root: false });
    expect(machine.check({ TIDINGS_SKIP_DEPS_CHECK: '1' })).toBe(0);
    expect([...machine.out, ...machine.err, ...machine.runs]).toEqual([]);
  });
});

describe('check-test-deps as a process', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A fake `/` with an empty bin/ as the whole PATH, plus the given scripts in it. */
  function fakeRoot(scripts: Record<string, string>) {
    root = mkdtempSync(path.join(tmpdir(), 'tidings-deps-'));
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    symlinkSync('/usr/bin/env', path.join(bin, 'env'));
    // What the unpack step's `sh -c` runs besides apt-get and dpkg-deb.
    for (const tool of ['sh', 'mktemp', 'chmod', 'rm', 'mkdir']) {
      symlinkSync(`/bin/${tool}`, path.join(bin, tool));
    }
    for (const [name, body] of Object.entries(scripts)) {
      writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    }
    const run = () =>
      spawnSync(process.execPath, [SCRIPT], {
        env: { PATH: bin, TIDINGS_DEPS_ROOT: root },
        encoding: 'utf8',
        timeout: 10_000,
      });
    return { bin, run };
  }

  it('stops at once with exit 1 when it can neither be root nor use sudo nor apt-get', () => {
    const { run } = fakeRoot({ sudo: 'exit 1' });
    const started = Date.now();
    const result = run();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('sudo apt-get install dovecot-imapd openssl chromium');
  });

  it('installs through a (fake) sudo and apt-get, then passes', () => {
    // The fake apt-get logs its arguments and, on install, provides what was missing.
    const { run } = fakeRoot({
      sudo: '[ "$1" = -n ] && shift\n[ "$1" = true ] && exit 0\nexec "$@"',
      'apt-get': [
        'echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> "$TIDINGS_DEPS_ROOT/apt.log"',
        '[ "$1" = download ] && { echo deb > "$3_1_amd64.deb"; exit 0; }',
        '[ "$1" = install ] || exit 0',
        'cd "$TIDINGS_DEPS_ROOT" && /bin/mkdir -p usr/sbin usr/bin etc',
        '/bin/mkdir -p usr/lib/python3/dist-packages/dbus usr/lib/python3/dist-packages/gi',
        'for f in usr/sbin/dovecot usr/bin/chromium usr/bin/python3 bin/openssl \\',
        '  bin/dbus-run-session bin/dbus-daemon bin/systemd-analyze; do',
        '  echo "#!/bin/sh" > "$f" && /bin/chmod +x "$f"',
        'done',
        '/bin/mkdir -p usr/lib/courier/courier-authlib usr/libexec',
        '/bin/mkdir -p lib/systemd',
        'for f in lib/systemd/systemd usr/sbin/cyrmaster usr/sbin/saslpasswd2 usr/sbin/couriertcpd \\',
        '  usr/lib/courier/courier-authlib/authdaemond usr/sbin/makeuserdb usr/libexec/gam_server; do',
        '  echo "#!/bin/sh" > "$f" && /bin/chmod +x "$f"',
        'done',
        "printf 'dovecot:x:1:1::/:/bin/false\\ndovenull:x:2:2::/:/bin/false\\n' > etc/passwd",
        "printf 'cyrus:x:3:3::/:/bin/false\\ncourier:x:4:4::/:/bin/false\\n' >> etc/passwd",
      ].join('\n'),
      // `apt-get download` above leaves a .deb; this dpkg-deb unpacks an imapd from it.
      'dpkg-deb': [
        'echo "dpkg-deb $*" >> "$TIDINGS_DEPS_ROOT/apt.log"',
        'case "$3" in *cyrus*) f=usr/lib/cyrus/bin/imapd;; *) f=usr/bin/imapd;; esac',
        '/bin/mkdir -p "$3/${f%/*}" && echo "#!/bin/sh" > "$3/$f" && /bin/chmod +x "$3/$f"',
      ].join('\n'),
    });
    const result = run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const packages =
      'dovecot-imapd openssl chromium dbus python3 python3-dbus python3-gi systemd ' +
      'cyrus-common sasl2-bin courier-base courier-authdaemon courier-authlib-userdb gamin';
    expect(result.stdout).toContain(
      `installing ${packages} cyrus-imapd (unpacked) courier-imap (unpacked) with apt-get`,
    );
    const log = readFileSync(path.join(root, 'apt.log'), 'utf8').split('\n');
    expect(log.slice(0, 2)).toEqual([
      'DEBIAN_FRONTEND=noninteractive update -q',
      `DEBIAN_FRONTEND=noninteractive install -y -q --no-install-recommends ${packages}`,
    ]);
    expect(log.slice(2)).toEqual([
      'DEBIAN_FRONTEND=noninteractive download -q cyrus-imapd',
      expect.stringMatching(
        /^dpkg-deb -x .*\/cyrus-imapd_1_amd64\.deb .*\/opt\/tidings-test-servers\/cyrus-imapd$/,
      ),
      'DEBIAN_FRONTEND=noninteractive download -q courier-imap',
      expect.stringMatching(
        /^dpkg-deb -x .*\/courier-imap_1_amd64\.deb .*\/opt\/tidings-test-servers\/courier-imap$/,
      ),
      '',
    ]);
  });
});

describe('the end-to-end line', () => {
  it('finds the Electron binary that path.txt names, and only when it exists', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-electron-'));
    try {
      expect(deps.findElectronBinary(dir)).toBeUndefined();
      writeFileSync(path.join(dir, 'path.txt'), 'electron');
      expect(deps.findElectronBinary(dir)).toBeUndefined();
      mkdirSync(path.join(dir, 'dist'));
      writeFileSync(path.join(dir, 'dist', 'electron'), '');
      expect(deps.findElectronBinary(dir)).toBe(path.join(dir, 'dist', 'electron'));
      expect(deps.describeE2e(deps.findElectronBinary(dir))).toMatch(
        /not part of npm test; run `npm run test:e2e`$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
