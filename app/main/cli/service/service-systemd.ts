/** `tidings service` on Linux: a systemd user unit, run by `systemctl --user`. */
import { readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  renderSystemdUnit,
  SYSTEMD_UNIT_NAME,
  watchArgv,
  type WatchInvocation,
} from './service-units.js';
import {
  describeWrite,
  pathExists,
  readIfExists,
  reasonOf,
  shellQuote,
  writeServiceFile,
  type ServiceWorld,
} from './service-world.js';

const START_STEPS = [
  ['daemon-reload'],
  ['enable', SYSTEMD_UNIT_NAME],
  ['restart', SYSTEMD_UNIT_NAME],
];
const STOP_STEPS = [['disable', '--now', SYSTEMD_UNIT_NAME], ['daemon-reload']];

/** `$XDG_CONFIG_HOME/systemd/user/tidings.service` (`~/.config` without it, or if relative). */
export function systemdUnitPath(world: ServiceWorld): string {
  const xdg = world.xdgConfigHome;
  const configHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(world.home, '.config');
  return path.join(configHome, 'systemd', 'user', SYSTEMD_UNIT_NAME);
}

/** Writes the unit, then reloads, enables and (re)starts it; 1 when systemctl could not. */
export async function installSystemd(
  world: ServiceWorld,
  invocation: WatchInvocation,
): Promise<number> {
  const unitPath = systemdUnitPath(world);
  const unit = renderSystemdUnit(invocation);
  const previous = readIfExists(unitPath);
  writeServiceFile(unitPath, unit);
  world.out(`${describeWrite(previous, unit)} ${unitPath}\n`);
  // restart, not enable --now: on a re-install the running watcher must pick up the new unit.
  const failed = await runSteps(world, START_STEPS);
  if (failed) {
    world.out(`The unit is written, but it is not running: ${failed.message}.\n`);
    world.out(`${adviceAfter(world, failed, invocation)}\n`);
    return 1;
  }
  world.out(`started ${SYSTEMD_UNIT_NAME}; its logs: journalctl --user -u tidings -f\n`);
  const linger = await world.run('loginctl', [
    'show-user',
    world.user,
    '--property=Linger',
    '--value',
  ]);
  if (linger.code === 0 && linger.stdout.trim() === 'no') {
    world.out(`${LINGER_HINT(world.user)}\n`);
  }
  return 0;
}

/** Stops and disables the unit, removes it, reloads. A unit that is not there: 0. */
export async function uninstallSystemd(world: ServiceWorld): Promise<number> {
  const unitPath = systemdUnitPath(world);
  if (!pathExists(unitPath)) {
    world.out(`${SYSTEMD_UNIT_NAME} is not installed (no ${unitPath}); nothing to do\n`);
    return 0;
  }
  const disable = await world.run('systemctl', ['--user', ...(STOP_STEPS[0] ?? [])]);
  rmSync(unitPath, { force: true });
  // `disable` removes this link; without a reachable systemctl we remove it ourselves.
  const wants = path.join(path.dirname(unitPath), 'default.target.wants', SYSTEMD_UNIT_NAME);
  if (pathExists(wants) && readlinkSafe(wants)?.endsWith(SYSTEMD_UNIT_NAME)) {
    rmSync(wants, { force: true });
  }
  world.out(`removed ${unitPath}\n`);
  if (disable.missing) {
    world.out('systemctl is not installed here, so no user manager was running it.\n');
    return 0;
  }
  if (disable.code !== 0) {
    world.out(
      `Could not stop it: ${reasonOf('systemctl', disable)}.\n` +
        `If it runs under a user manager you cannot reach from here, run there:\n${commandLines(STOP_STEPS)}\n`,
    );
    return 1;
  }
  world.out(`stopped and disabled ${SYSTEMD_UNIT_NAME}\n`);
  const failed = await runSteps(world, STOP_STEPS.slice(1));
  if (failed) world.out(`but ${failed.message}\n`);
  return 0;
}

/** Installed or not, where, and what systemctl says. 0 installed, 3 not installed. */
export async function statusSystemd(world: ServiceWorld): Promise<number> {
  const unitPath = systemdUnitPath(world);
  const installed = pathExists(unitPath);
  world.out(`${SYSTEMD_UNIT_NAME}: ${installed ? 'installed' : 'not installed'} (${unitPath})\n`);
  for (const query of ['is-active', 'is-enabled']) {
    const result = await world.run('systemctl', ['--user', query, SYSTEMD_UNIT_NAME]);
    // is-active answers "inactive" with exit 3 and is-enabled "disabled" with exit 1: the
    // answer is stdout whatever the code; only an empty stdout means systemctl could not say.
    const answer = result.stdout.trim();
    world.out(
      `systemctl --user ${query}: ${answer || `unknown (${reasonOf('systemctl', result)})`}\n`,
    );
    if (result.missing) break;
  }
  return installed ? 0 : 3;
}

/** A `systemctl --user` step that failed: which, what it said, whether it is not installed. */
interface FailedStep {
  index: number;
  message: string;
  missing: boolean;
}

/** Runs each `systemctl --user` step in order; the first failure, or undefined. */
async function runSteps(world: ServiceWorld, steps: string[][]): Promise<FailedStep | undefined> {
  for (const [index, step] of steps.entries()) {
    const result = await world.run('systemctl', ['--user', ...step]);
    if (result.code !== 0) {
      const message = `systemctl --user ${step.join(' ')} failed: ${reasonOf('systemctl', result)}`;
      return { index, message, missing: result.missing === true };
    }
  }
  return undefined;
}

// No systemctl: not a systemd system (OpenRC, runit, WSL without systemd). The first step
// failing: no user manager reachable. A later one: the manager answered, the unit failed.
function adviceAfter(world: ServiceWorld, failed: FailedStep, invocation: WatchInvocation): string {
  if (failed.missing) {
    const command = watchArgv(invocation).map(shellQuote).join(' ');
    return `Without systemd, start it from your init system or session instead:\n  ${command}`;
  }
  if (failed.index > 0) {
    return `See why with:\n  systemctl --user status ${SYSTEMD_UNIT_NAME}\n  journalctl --user -u tidings`;
  }
  return `${whereToRun(world)}\n${commandLines(START_STEPS)}\n${LINGER_HINT(world.user)}`;
}

function commandLines(steps: string[][]): string {
  return steps.map((step) => `  systemctl --user ${step.join(' ')}`).join('\n');
}

// Without a session (a container, `su`, SSH before lingering), systemctl --user finds no
// bus: XDG_RUNTIME_DIR is unset or /run/user/UID has no bus socket.
function whereToRun(world: ServiceWorld): string {
  return (
    `systemctl --user needs your user manager (systemd --user) and its bus, which this session ` +
    `does not reach (XDG_RUNTIME_DIR=${world.vars.XDG_RUNTIME_DIR ?? 'unset'}). ` +
    `In a login session of ${world.user} (or once lingering is on), run:`
  );
}

const LINGER_HINT = (user: string) =>
  `On a machine nobody logs in to, the user manager runs only while ${user} has a session: ` +
  `loginctl enable-linger ${user} starts it at boot and keeps it (and Tidings) running after logout.`;

function readlinkSafe(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}
