/** `tidings service` on macOS: a launchd agent in the user's GUI domain. */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  LAUNCHD_LABEL,
  launchdLogFile,
  renderLaunchdPlist,
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

/** `~/Library/LaunchAgents/app.tidings.watch.plist`. */
export function launchdPlistPath(world: ServiceWorld): string {
  return path.posix.join(world.home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
}

const domainOf = (world: ServiceWorld) => `gui/${world.uid}`;
const targetOf = (world: ServiceWorld) => `${domainOf(world)}/${LAUNCHD_LABEL}`;

/** Writes the plist and loads it (booting out the loaded one first); 1 when launchctl could not. */
export async function installLaunchd(
  world: ServiceWorld,
  invocation: WatchInvocation,
): Promise<number> {
  const plistPath = launchdPlistPath(world);
  const plist = renderLaunchdPlist(invocation, world.home, world.vars.PATH);
  const previous = readIfExists(plistPath);
  mkdirSync(path.dirname(launchdLogFile(world.home)), { recursive: true, mode: 0o755 });
  writeServiceFile(plistPath, plist);
  world.out(`${describeWrite(previous, plist)} ${plistPath}\n`);
  const target = targetOf(world);
  const manual = [
    `launchctl bootout ${target}`,
    `launchctl enable ${target}`,
    `launchctl bootstrap ${domainOf(world)} ${shellQuote(plistPath)}`,
  ];
  if (await isLoaded(world)) {
    const bootout = await world.run('launchctl', ['bootout', target]);
    if (bootout.code !== 0) return tellManual(world, 'launchctl bootout', bootout, manual);
    await waitUntilGone(world);
  }
  // A `launchctl disable` from before would make bootstrap fail with "Service is disabled".
  const enable = await world.run('launchctl', ['enable', target]);
  if (enable.code !== 0) return tellManual(world, 'launchctl enable', enable, manual.slice(1));
  const bootstrap = await world.run('launchctl', ['bootstrap', domainOf(world), plistPath]);
  if (bootstrap.code !== 0) {
    return tellManual(world, 'launchctl bootstrap', bootstrap, manual.slice(2));
  }
  world.out(`loaded ${LAUNCHD_LABEL}; its log: ${launchdLogFile(world.home)}\n`);
  return 0;
}

/** Boots the agent out and removes its plist. An agent that is not there: 0. */
export async function uninstallLaunchd(world: ServiceWorld): Promise<number> {
  const plistPath = launchdPlistPath(world);
  const loaded = await isLoaded(world);
  if (!pathExists(plistPath) && !loaded) {
    world.out(`${LAUNCHD_LABEL} is not installed (no ${plistPath}); nothing to do\n`);
    return 0;
  }
  let code = 0;
  if (loaded) {
    const bootout = await world.run('launchctl', ['bootout', targetOf(world)]);
    if (bootout.code === 0) world.out(`unloaded ${LAUNCHD_LABEL}\n`);
    else
      code = tellManual(world, 'launchctl bootout', bootout, [
        `launchctl bootout ${targetOf(world)}`,
      ]);
  }
  if (pathExists(plistPath)) {
    rmSync(plistPath, { force: true });
    world.out(`removed ${plistPath}\n`);
  }
  return code;
}

/** Installed or not, where, and launchctl print's state, pid and last exit code. */
export async function statusLaunchd(world: ServiceWorld): Promise<number> {
  const plistPath = launchdPlistPath(world);
  const installed = pathExists(plistPath);
  world.out(`${LAUNCHD_LABEL}: ${installed ? 'installed' : 'not installed'} (${plistPath})\n`);
  const print = await world.run('launchctl', ['print', targetOf(world)]);
  if (print.code === 0) {
    // launchctl print's format is not a stable interface; pick the lines people look for.
    const lines = print.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^(state|pid|last exit code|runs) = /.test(line));
    world.out(
      `launchctl print ${targetOf(world)}: loaded\n${lines.map((l) => `  ${l}\n`).join('')}`,
    );
  } else {
    world.out(`launchctl print ${targetOf(world)}: not loaded (${reasonOf('launchctl', print)})\n`);
  }
  world.out(`log: ${launchdLogFile(world.home)}\n`);
  return installed ? 0 : 3;
}

async function isLoaded(world: ServiceWorld): Promise<boolean> {
  return (await world.run('launchctl', ['print', targetOf(world)])).code === 0;
}

// bootout returns before the agent has gone; a bootstrap at once fails with
// "Bootstrap failed: 5: Input/output error". Poll for up to 5 s.
async function waitUntilGone(world: ServiceWorld): Promise<void> {
  for (let attempt = 0; attempt < 25 && (await isLoaded(world)); attempt++) {
    await world.sleep(200);
  }
}

function tellManual(
  world: ServiceWorld,
  step: string,
  result: { code: number | null; stdout: string; stderr: string; missing?: boolean },
  commands: string[],
): number {
  world.out(
    `${step} failed: ${reasonOf('launchctl', result)}.\nThe plist is written; in a login session ` +
      `of ${world.user} run:\n${commands.map((c) => `  ${c}`).join('\n')}\n`,
  );
  return 1;
}
