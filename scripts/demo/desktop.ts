/**
 * The desktop app in the demo: started only when `npm ci` downloaded the Electron binary
 * (not with ELECTRON_SKIP_BINARY_DOWNLOAD), with its own data directory and the demo account
 * seeded, so it never touches the user's own Tidings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { passLines } from './processes.js';

/** Starts `<electron> <repo>` on `dataDir` with the account in `seedFile`; output is prefixed. */
export function startDesktop(o: {
  electron: string;
  repo: string;
  dataDir: string;
  seedFile: string;
}): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, TIDINGS_USER_DATA_DIR: o.dataDir };
  // Set in the environment, it would make the binary a plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const args = [o.repo, `--seed-account=${o.seedFile}`];
  // Chromium refuses to start as root with its sandbox; a throwaway demo account is all it sees.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  // Its own process group: Ctrl-C reaches the demo alone, which then stops the app once.
  const child = spawn(o.electron, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  passLines(child.stdout, process.stderr, undefined, 'desktop: ');
  passLines(child.stderr, process.stderr, undefined, 'desktop: ');
  return child;
}
