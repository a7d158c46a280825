/**
 * `tidings service install|uninstall|status`: runs `tidings watch` as a user service — a
 * systemd user unit on Linux, a launchd agent on macOS; on Windows it says what to do
 * instead. Install checks the config as `tidings watch` would before it writes anything.
 */
import path from 'node:path';
import { ConfigError, loadConfigResolved } from '../config/index.js';
import { bindingOf } from '../credentials/index.js';
import { installLaunchd, statusLaunchd, uninstallLaunchd } from '../service/index.js';
import { installSystemd, statusSystemd, uninstallSystemd } from '../service/index.js';
import { ServicePathError, windowsTaskCommand, type WatchInvocation } from '../service/index.js';
import { createServiceWorld, type ServiceWorld } from '../service/index.js';
import { TokenFile } from '../credentials/index.js';

/** The parsed options of `tidings service`. */
export interface ServiceOptions {
  action: 'install' | 'uninstall' | 'status';
  /** install: the config file the service watches with. */
  config?: string;
  /** install: the state directory (default: the one `tidings watch` would use now). */
  stateDir?: string;
  /** install: desktop popups (false: `--no-desktop`). */
  desktop: boolean;
}

/**
 * Exit codes: 0 done; 1 the file was written (or removed) but the service manager could not
 * be told (what to run is printed); 2 bad usage, a refused config or path, or no service on
 * this platform; 3 (status) not installed.
 */
export async function runService(
  options: ServiceOptions,
  env: Partial<ServiceWorld> = {},
): Promise<number> {
  const world = createServiceWorld(env);
  const say = (message: string) => world.err(`tidings service ${options.action}: ${message}\n`);
  try {
    if (world.platform === 'win32') return await explainWindows(world, options);
    const manager = managers[world.platform];
    if (!manager) {
      say(`no user service support on ${world.platform}: run tidings watch from your init system`);
      return 2;
    }
    if (options.action === 'uninstall') return await manager.uninstall(world);
    if (options.action === 'status') return await manager.status(world);
    return await manager.install(world, await prepareInstall(world, options));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ServicePathError) {
      say(`nothing installed: ${error.message}`);
      return 2;
    }
    if (error instanceof UsageError) {
      say(error.message);
      return 2;
    }
    throw error;
  }
}

const managers: Partial<
  Record<
    NodeJS.Platform,
    {
      install(world: ServiceWorld, invocation: WatchInvocation): Promise<number>;
      uninstall(world: ServiceWorld): Promise<number>;
      status(world: ServiceWorld): Promise<number>;
    }
  >
> = {
  linux: { install: installSystemd, uninstall: uninstallSystemd, status: statusSystemd },
  darwin: { install: installLaunchd, uninstall: uninstallLaunchd, status: statusLaunchd },
};

class UsageError extends Error {}

/**
 * Absolute paths for the service, after the config has been read and checked like `tidings
 * watch` does (address-only accounts looked up, OAuth2 accounts signed in). The state
 * directory is always written out: the service's environment (no XDG_CONFIG_HOME of this
 * shell) could otherwise put it elsewhere, away from `tidings login`'s tokens.
 */
async function prepareInstall(
  world: ServiceWorld,
  options: ServiceOptions,
): Promise<WatchInvocation> {
  if (options.config === undefined) throw new UsageError('give the config: --config FILE');
  const config = path.resolve(world.cwd, options.config);
  const stateDir = path.resolve(world.cwd, options.stateDir ?? world.defaultStateDir);
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const tokenFile = new TokenFile(stateDir, quiet);
  const settings = await loadConfigResolved(
    config,
    world.vars,
    {
      hasStoredToken: (account, endpoints) =>
        tokenFile.get(account, bindingOf(endpoints)) !== undefined,
      stateDir,
    },
    {
      report: (line) => world.err(`${line}\n`),
      ...(world.resolve ? { resolve: world.resolve } : {}),
    },
  );
  settings.accounts.forEach((account, index) => {
    const variable = account.passwordEnv ?? account.refreshTokenEnv;
    if (variable === undefined) return;
    // A drop-in (tidings.service.d/) survives a re-install; an edited plist would not.
    const how =
      world.platform === 'linux'
        ? `, or give the service ${variable} in a drop-in: systemctl --user edit tidings.service, then [Service] and Environment=${variable}=…`
        : '';
    world.err(
      `warning: accounts[${index}] (${account.id}) reads ${variable} from the environment, and ` +
        `the service does not get this shell's: use a command instead${how}\n`,
    );
  });
  return { node: world.node, script: world.script, config, stateDir, desktop: options.desktop };
}

// Windows has no user service manager Tidings talks to: the desktop app's "Start at login",
// or a logon task the user creates.
async function explainWindows(world: ServiceWorld, options: ServiceOptions): Promise<number> {
  const lines = [
    'tidings service: Windows has no user service for Tidings to install.',
    'Use the desktop app (Settings: "Start Tidings when I log in"),',
  ];
  if (options.action === 'install' && options.config !== undefined) {
    const command = windowsTaskCommand(await prepareInstall(world, options));
    lines.push(
      'or run tidings watch at logon with Task Scheduler, in Command Prompt:',
      `  ${command}`,
    );
  } else if (options.action === 'uninstall') {
    lines.push('or, for a Task Scheduler task made earlier:', '  schtasks /Delete /TN Tidings /F');
  } else if (options.action === 'status') {
    lines.push('or, for a Task Scheduler task:', '  schtasks /Query /TN Tidings /V /FO LIST');
  } else {
    lines.push('or, with --config FILE, this prints the Task Scheduler command to use.');
  }
  world.err(`${lines.join('\n')}\n`);
  return 2;
}
