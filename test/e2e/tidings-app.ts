/**
 * The built desktop app in the real Electron, driven by playwright-core: a throwaway userData
 * directory (so a run never touches the user's own settings), a seeded account, and the tail
 * of the main process's output kept for failure messages.
 */
import { _electron, type ElectronApplication } from 'playwright-core';

/** How the app process ended. */
export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running Tidings desktop app. */
export interface TidingsApp {
  app: ElectronApplication;
  /** The last lines the main process wrote to stdout and stderr. */
  output(): string;
  /** Quits the way the tray's "Quit" does (`app.quit()`) and resolves once the process ended. */
  quit(timeoutMs: number): Promise<AppExit>;
  /** Ends the app if it still runs (after a failed test): a graceful close, then SIGKILL. */
  dispose(): Promise<void>;
}

/** What the app is started with. */
export interface LaunchOptions {
  /** The repository root: Electron loads package.json's `main` (dist/main/index.js). */
  appDir: string;
  userDataDir: string;
  /**
   * A JSON file `{"account": {…}}` that the app saves at start unless it has that account;
   * none: a first run, with no account.
   */
  seedFile?: string;
  /** More environment for the app (a private D-Bus session bus on Linux, say). */
  env?: Record<string, string>;
}

const OUTPUT_LINES = 60;

/** Starts the app; its settings window opens at start (no `--hidden`). */
export async function launchTidings(options: LaunchOptions): Promise<TidingsApp> {
  const args = [options.appDir, ...launchArgs(options)];
  // No executablePath: playwright then starts the binary node_modules/electron points at (the
  // path its index.js returns) with its loader, which holds back `ready` until playwright is
  // attached. With an executablePath the loader is skipped and the app runs ahead of it.
  const app = await _electron.launch({
    args,
    env: { ...childEnv(), ...options.env, TIDINGS_USER_DATA_DIR: options.userDataDir },
    timeout: 30_000,
  });
  const child = app.process();
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - OUTPUT_LINES));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<AppExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const output = () => lines.join('\n');

  return {
    app,
    output,
    async quit(timeoutMs) {
      // The process may be gone before the reply to this call arrives: `exited` tells.
      await app.evaluate(({ app: electronApp }) => electronApp.quit()).catch(() => undefined);
      return withDeadline(
        exited,
        timeoutMs,
        () =>
          `the app was still running ${timeoutMs} ms after app.quit(); last output:\n${output()}`,
      );
    },
    async dispose() {
      if (!running()) return;
      await withDeadline(app.close(), 10_000, () => 'app.close() hung').catch(() => undefined);
      if (running()) child.kill('SIGKILL');
    },
  };
}

/** The app's arguments after the app directory (a second launch passes the same). */
export function launchArgs(options: LaunchOptions): string[] {
  const args = options.seedFile ? [`--seed-account=${options.seedFile}`] : [];
  // Without a keyring on Linux, safeStorage needs Chromium's basic password store.
  if (process.platform === 'linux') args.push('--password-store=basic');
  return args;
}

/** The test's environment for the app, minus what would change how Electron starts. */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    // ELECTRON_RUN_AS_NODE (set in some editors' terminals) would start plain Node instead.
    if (value !== undefined && name !== 'ELECTRON_RUN_AS_NODE') env[name] = value;
  }
  return env;
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
