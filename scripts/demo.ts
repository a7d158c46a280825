/**
 * `npm run demo`: Tidings on an embedded account, for someone without an IMAP account of
 * their own. It starts a throwaway Dovecot on 127.0.0.1, runs `tidings watch` on its INBOX
 * (and the desktop app too when the Electron binary is installed), and delivers a message
 * every few seconds until Ctrl-C, which stops it all and removes every file it made.
 * The watcher's stdout passes through unchanged; the demo's own lines go to stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDovecot, type Dovecot } from '../test/support/dovecot.js';
import { startDesktop } from './demo/desktop.js';
import { findElectronBinary } from './electron-binary.mjs';
import { demoSteps } from './demo/messages.js';
import { exited, passLines, stopChild } from './demo/processes.js';

const REPO = path.join(import.meta.dirname, '..');
const DOVECOT = process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot';
const USER = 'demo';
const EVERY_MS = 3_000;
// The watcher announces only what arrives after its first sync, so mail waits for it.
const READY = /demo\/INBOX: idle|"state":"idle"/;
const READY_TIMEOUT_MS = 20_000;

const say = (line: string) => process.stderr.write(`demo: ${line}\n`);

/** The command line: `--no-desktop` and `--json`, as `tidings watch` has them. */
function parseArgs(argv: readonly string[]): { desktop: boolean; json: boolean } {
  const unknown = argv.filter((arg) => arg !== '--no-desktop' && arg !== '--json');
  if (unknown.length) {
    say(`unknown option ${unknown.join(' ')}; usage: npm run demo -- [--no-desktop] [--json]`);
    process.exit(2);
  }
  return { desktop: !argv.includes('--no-desktop'), json: argv.includes('--json') };
}

/** Writes the watcher's config and the desktop app's seed file; returns their paths. */
function writeAccount(dovecot: Dovecot, dir: string, password: string) {
  const account = {
    id: 'demo',
    name: 'Demo',
    host: '127.0.0.1',
    port: dovecot.port,
    // Loopback only, and a password made up for this run: clear text harms nobody here.
    tls: 'none',
    allowInsecureAuth: true,
    user: USER,
    password,
    mailboxes: ['INBOX'],
  };
  const config = path.join(dir, 'config.json');
  const seed = path.join(dir, 'seed-account.json');
  const settings = { accounts: [account], notifications: { burstThreshold: 5 } };
  writeFileSync(config, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(seed, `${JSON.stringify({ account })}\n`, { mode: 0o600 });
  return { config, seed };
}

/** Starts `tidings watch` and calls `onReady` once its INBOX is idle. */
function startWatcher(o: {
  config: string;
  stateDir: string;
  desktop: boolean;
  json: boolean;
  onReady: () => void;
}): ChildProcess {
  const args = ['bin/tidings.js', 'watch', '--config', o.config, '--state-dir', o.stateDir];
  if (!o.desktop) args.push('--no-desktop');
  if (o.json) args.push('--json');
  // Its own process group, so that Ctrl-C reaches the demo alone: a second signal from us
  // would read to the watcher as an impatient user and skip its LOGOUT.
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let ready = false;
  const onLine = (line: string) => {
    if (ready || !READY.test(line)) return;
    ready = true;
    o.onReady();
  };
  passLines(child.stdout, process.stdout, onLine);
  passLines(child.stderr, process.stderr, onLine);
  return child;
}

/** Delivers one round of the demo's steps after another, a step every few seconds. */
async function deliver(dovecot: Dovecot, signal: AbortSignal): Promise<void> {
  for (;;) {
    for (const step of demoSteps()) {
      await sleep(EVERY_MS, undefined, { signal });
      say(`delivering ${step.label}`);
      await dovecot.append(USER, 'INBOX', step.messages);
    }
  }
}

/** What is running, owned by `start` and taken down by `shutdown`. */
const running = {
  dovecot: undefined as Dovecot | undefined,
  children: [] as ChildProcess[],
  stopping: false,
  delivering: false,
  abort: new AbortController(),
};

/** Stops the children (SIGTERM: the watcher logs out), then Dovecot, and exits with `code`. */
async function shutdown(code: number): Promise<void> {
  if (running.stopping) return;
  running.stopping = true;
  running.abort.abort();
  say(
    `stopping ${running.children.length > 1 ? 'the watcher, the desktop app' : 'the watcher'} and Dovecot`,
  );
  await Promise.all(running.children.map((child) => stopChild(child)));
  if (running.dovecot) {
    await running.dovecot.stop();
    say(`stopped; removed ${running.dovecot.dir}`);
  }
  process.exit(code);
}

/** Starts delivering once, when the watcher is ready (or has taken too long to say so). */
function startDelivering(dovecot: Dovecot): void {
  if (running.delivering || running.stopping) return;
  running.delivering = true;
  deliver(dovecot, running.abort.signal).catch((error: unknown) => {
    if (running.stopping) return;
    say(`delivery failed: ${String(error)}`);
    void shutdown(1);
  });
}

/** Starts Dovecot, the watcher and, with `electron`, the desktop app. */
async function start(options: { desktop: boolean; json: boolean }, electron?: string) {
  const password = randomBytes(12).toString('base64url');
  const dovecot = await startDovecot({ [USER]: password });
  running.dovecot = dovecot;
  // A Ctrl-C while Dovecot was starting found nothing to stop yet.
  if (running.stopping) return void (await dovecot.stop());
  // Everything lives in Dovecot's temp dir, which stopping it removes.
  const dir = path.join(dovecot.dir, 'demo');
  mkdirSync(dir, { mode: 0o700 });
  const { config, seed } = writeAccount(dovecot, dir, password);
  say(`Dovecot listens on 127.0.0.1:${dovecot.port}; files in ${dovecot.dir}`);

  const stateDir = path.join(dir, 'state');
  const onReady = () => startDelivering(dovecot);
  // With the desktop app running, its popups are the desktop's: the watcher's would double them.
  const popups = options.desktop && !electron;
  const watcher = startWatcher({ config, stateDir, json: options.json, desktop: popups, onReady });
  running.children.push(watcher);
  void exited(watcher).then((code) => {
    if (running.stopping) return;
    say(`tidings watch exited (${code}) before Ctrl-C`);
    void shutdown(typeof code === 'number' && code !== 0 ? code : 1);
  });
  if (electron) {
    const dataDir = path.join(dir, 'desktop');
    const desktop = startDesktop({ electron, repo: REPO, dataDir, seedFile: seed });
    running.children.push(desktop);
    // The app failing (no display, say) leaves the watcher running: say so, keep going.
    void exited(desktop).then((code) => {
      if (!running.stopping) say(`the desktop app exited (${code}); tidings watch carries on`);
    });
  }
  setTimeout(() => {
    if (running.delivering || running.stopping) return;
    say(`tidings watch was not idle within ${READY_TIMEOUT_MS / 1000} s; delivering anyway`);
    startDelivering(dovecot);
  }, READY_TIMEOUT_MS).unref();
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(DOVECOT)) {
    say(`this runs a throwaway Dovecot, but ${DOVECOT} is missing.`);
    say('Install it with: sudo apt-get install dovecot-imapd');
    process.exit(1);
  }
  if (!existsSync(path.join(REPO, 'dist', 'main', 'cli', 'main.js'))) {
    say('dist/ is not built: run `npm run demo`, which builds first.');
    process.exit(1);
  }
  const electron = options.desktop ? findElectronBinary() : undefined;
  say(
    `starting a throwaway Dovecot on 127.0.0.1 (user "${USER}"), tidings watch on its INBOX` +
      `${electron ? ' and the desktop app on the same account' : ''}, then a new message every` +
      ` ${EVERY_MS / 1000} s: a reply, a burst of 12, a hostile subject and more.` +
      ' Ctrl-C stops it all and removes its files.',
  );
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  await start(options, electron);
}

main().catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
