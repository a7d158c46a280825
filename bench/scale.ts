/**
 * Start-up and costs at scale (issue 23, items 2 and 3): N accounts (distinct users of one
 * server) × M mailboxes each, watched as `watchMode` "auto" (the default) watches them, through
 * the real `tidings watch --json`: over NOTIFY on Dovecot; on Cyrus 3.6 and Courier 5.0 (no
 * NOTIFY), or on Dovecot with `--no-notify` (NOTIFY left out of its capabilities), by IDLE on
 * as many mailboxes per account as its connection budget allows and STATUS polls of the rest.
 * Per start, process start → every mailbox of every account idle, for first starts (a fresh
 * state dir) and restarts (the state dir of the first start just before, which reached idle),
 * in turns. Then, through a tap, the commands a first start and a restart send; then, on
 * that restart's process, RSS, CPU and commands over a rest, and the bytes it writes to disk
 * per announced message (/proc/PID/io write_bytes) and how often it replaces state.json.
 * With --no-tap, the costs are those of one more restart, without a tap. Without NOTIFY each
 * start and the tap's lines also say how many mailboxes were IDLEd and how many polled.
 *
 *   npm run bench -- scale [--accounts 20] [--mailboxes 50] [--starts 5] [--rest 60]
 *                          [--messages 50] [--timeout 300] [--no-tap] [--state-parent DIR]
 *                          [--settle SECONDS]
 *                          [--all] [--server dovecot|cyrus|courier] [--no-notify]
 *                          [--login-mode high-security|high-performance]
 *                          [--keep-extra-ca]
 *
 * A config lists at most 200 mailboxes per account: past that, `--all` watches them with
 * `"mailboxes": "all"` (at most 1,000 per account), which also LISTs them at each start.
 * `--state-parent` puts the timed starts' state dirs there (say /dev/shm, where fsync costs
 * nothing), to tell the state file's writes apart from the rest of a start. `--server cyrus`
 * and `courier` need root and /opt/tidings-test-servers, as the server suite does
 * (test/support/imap-servers.ts); every server is started to take 1,000 connections from
 * 127.0.0.1 (bench/support/many-accounts.ts says why). A polled mailbox's message may wait a
 * poll (60 s): without NOTIFY the messages get 120 s to be announced, not 60. The watch
 * processes run without this machine's NODE_EXTRA_CA_CERTS unless `--keep-extra-ca`
 * (support/node-env.ts says why, and the output what it would cost).
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildMessage } from '../test/support/messages.js';
import { describeCounts, startCommandTap, type CommandTap } from './support/command-tap.js';
import { parseServerKind, pause, processUsage, waitUntil } from './support/fixture.js';
import {
  freshStateDir,
  manyAccountsConfig,
  startManyAccounts,
  startScaleWatch,
  type ManyAccounts,
  type ScaleWatch,
} from './support/many-accounts.js';
import { watchEnvironment, type EnvChanges } from './support/node-env.js';
import { diskWrites, watchStateFile, type StateFileWatch } from './support/state-writes.js';
import { summarize } from './support/stats.js';

/** Runs the benchmark and prints its figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string', default: '20' },
      mailboxes: { type: 'string', default: '50' },
      starts: { type: 'string', default: '5' },
      rest: { type: 'string', default: '60' },
      settle: { type: 'string' },
      messages: { type: 'string', default: '50' },
      timeout: { type: 'string', default: '300' },
      'no-tap': { type: 'boolean', default: false },
      'state-parent': { type: 'string' },
      all: { type: 'boolean', default: false },
      server: { type: 'string', default: 'dovecot' },
      'no-notify': { type: 'boolean', default: false },
      'login-mode': { type: 'string' },
      'keep-extra-ca': { type: 'boolean', default: false },
    },
  });
  const serverKind = parseServerKind(values.server);
  if (values['no-notify'] && serverKind !== 'dovecot')
    throw new Error('--no-notify is for Dovecot');
  const loginMode = parseLoginMode(values['login-mode'], serverKind);
  // Cyrus 3.6 and Courier 5.0 offer no NOTIFY.
  const notify = serverKind === 'dovecot' && !values['no-notify'];
  const [accounts, mailboxes, starts, rest, messages, timeout] = [
    values.accounts,
    values.mailboxes,
    values.starts,
    values.rest,
    values.messages,
    values.timeout,
  ].map(Number) as [number, number, number, number, number, number];
  if (!(starts >= 1 && accounts >= 1 && mailboxes >= 1)) {
    throw new Error('--accounts, --mailboxes and --starts want numbers ≥ 1');
  }
  if (mailboxes > 200 && !values.all) throw new Error('over 200 mailboxes per account needs --all');
  const made = performance.now();
  const setup = await startManyAccounts(
    { kind: serverKind, withoutNotify: values['no-notify'], ...(loginMode ? { loginMode } : {}) },
    accounts,
    mailboxes,
  );
  const total = accounts * mailboxes;
  const how = notify
    ? 'over NOTIFY'
    : `by IDLE + polling${serverKind === 'dovecot' ? " (NOTIFY left out of Dovecot's capabilities)" : ''}`;
  const name = serverKind === 'dovecot' ? 'Dovecot' : setup.server.title;
  console.log(
    `scale: ${accounts} account(s) × ${mailboxes} mailbox(es) = ${total} watched ${how}${values.all ? ', "all"' : ''}` +
      `${loginMode ? `, imap-login in ${loginMode} mode` : ''} ` +
      `(${name} ready in ${((performance.now() - made) / 1000).toFixed(1)} s)`,
  );
  const environment = watchEnvironment(values['keep-extra-ca']);
  watchEnv = environment.env;
  if (environment.note) console.log(environment.note);
  try {
    const config = manyAccountsConfig(setup, setup.server.port, values.all);
    const timed = { first: [] as number[], restart: [] as number[] };
    const cpuMs = { first: [] as number[], restart: [] as number[] };
    let kept = '';
    for (let i = 0; i < starts; i++) {
      kept = madeDir(freshStateDir(values['state-parent']));
      for (const kind of ['first', 'restart'] as const) {
        const start = await timedStart(setup, config, kept, timeout * 1000);
        timed[kind].push(start.ms);
        cpuMs[kind].push(start.cpu * 1000);
        console.log(
          `  ${kind.padEnd(7)} ${i + 1}: all idle after ${start.ms.toFixed(0)} ms; ` +
            `watch CPU ${start.cpu.toFixed(2)} s (system ${start.system.toFixed(2)}); state.json replaced ${start.replaced} time(s), ` +
            `now ${(start.stateBytes / 1024).toFixed(1)} KiB${notify ? '' : split(start.watch)}`,
        );
        await start.watch.proc.stop();
        await pause(1_000); // the server's imap processes of the last run end
      }
    }
    console.log(`  first start → all idle (ms)  ${summarize(timed.first)}`);
    console.log(`  restart → all idle (ms)      ${summarize(timed.restart)}`);
    console.log(`  first start, watch CPU (ms)  ${summarize(cpuMs.first)}`);
    console.log(`  restart, watch CPU (ms)      ${summarize(cpuMs.restart)}`);
    // The steady figure leaves out the rest's first `settle` s (60 by default on a rest of 3
    // minutes or more): the heap's shrinking after the start, and V8 optimizing what the
    // heartbeats run, which goes on for minutes at a heartbeat a minute.
    const settle = values.settle === undefined ? (rest >= 180 ? 60 : 0) : Number(values.settle);
    if (!(settle >= 0 && settle < rest)) throw new Error('--settle wants seconds below --rest');
    const costs = { rest, settle, messages, timeoutMs: timeout * 1000, notify };
    if (values['no-tap']) await measureCosts(setup, config, kept, costs);
    else await countCommands(setup, values.all, costs);
  } finally {
    await setup.server.stop();
    for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

// What the watch processes' environment changes from this one's (support/node-env.ts).
let watchEnv: EnvChanges = {};

// The state dirs this run made (10,000 cursors are 1.5 MB each), removed at its end.
const stateDirs: string[] = [];
const madeDir = (dir: string) => (stateDirs.push(dir), dir);

/** `; IDLE 160, polled 840` as the watch reported at all idle (without NOTIFY). */
function split(watch: ScaleWatch): string {
  const via = watch.watchedVia();
  const others = [...via].filter(([how]) => how !== 'idle' && how !== 'poll');
  return (
    `; IDLE ${via.get('idle') ?? 0}, polled ${via.get('poll') ?? 0}` +
    others.map(([how, count]) => `, ${how} ${count}`).join('')
  );
}

/**
 * One start on `stateDir`: time to all idle, the watch's CPU by then (and the kernel's share of
 * it), state.json rewrites.
 */
async function timedStart(
  setup: ManyAccounts,
  config: unknown,
  stateDir: string,
  timeoutMs: number,
): Promise<{
  watch: ScaleWatch;
  ms: number;
  cpu: number;
  system: number;
  replaced: number;
  stateBytes: number;
}> {
  const state = watchStateFile(stateDir);
  const watch = startScaleWatch(setup, config, stateDir, timeoutMs, watchEnv);
  try {
    const ms = (await watch.allIdle) - watch.startedAt;
    const { cpuSeconds: cpu, systemSeconds: system } = processUsage(watch.proc.pid);
    return { watch, ms, cpu, system, replaced: state.replaced(), stateBytes: state.size() };
  } catch (error) {
    await watch.proc.stop();
    throw error;
  } finally {
    state.close();
  }
}

/**
 * A first start and a restart through a tap: the commands each sends, by name; then the
 * costs, on a restart through the same tap (a cursor names the port it was made on), which
 * also counts the commands at rest.
 */
async function countCommands(setup: ManyAccounts, all: boolean, costs: Costs): Promise<void> {
  const tap = await startCommandTap(setup.server.port);
  try {
    const config = manyAccountsConfig(setup, tap.port, all);
    const stateDir = madeDir(freshStateDir());
    for (const kind of ['first start', 'restart']) {
      tap.reset();
      const watch = startScaleWatch(setup, config, stateDir, costs.timeoutMs, watchEnv);
      const ms = (await watch.allIdle) - watch.startedAt;
      const counts = new Map(tap.counts); // as at all idle: no heartbeat yet
      const connections = tap.accepted();
      await watch.proc.stop();
      const first = costs.notify
        ? ['EXAMINE', 'SELECT', 'STATUS', 'NOTIFY']
        : ['EXAMINE', 'SELECT', 'STATUS', 'IDLE'];
      console.log(
        `  ${kind} through a tap (${ms.toFixed(0)} ms to all idle): ${connections} ` +
          `connection(s); commands ${describeCounts(counts, first)}` +
          (costs.notify ? '' : split(watch)),
      );
      await pause(1_000);
    }
    await measureCosts(setup, config, stateDir, costs, tap);
  } finally {
    await tap.close();
  }
}

/** How long to rest, how many messages to deliver, how long a start may take, over NOTIFY? */
interface Costs {
  rest: number;
  settle: number;
  messages: number;
  timeoutMs: number;
  notify: boolean;
}

/** After a restart on `stateDir`: RSS and CPU over `rest` s, then disk writes per message. */
async function measureCosts(
  setup: ManyAccounts,
  config: unknown,
  stateDir: string,
  o: Costs,
  tap?: CommandTap,
): Promise<void> {
  const watch = startScaleWatch(setup, config, stateDir, o.timeoutMs, watchEnv);
  let state: StateFileWatch | undefined;
  try {
    await watch.allIdle;
    await pause(5_000); // let start-up garbage settle, as cost-at-rest does
    tap?.reset();
    const before = processUsage(watch.proc.pid);
    const restStarted = performance.now();
    // Past the first minute too: the garbage collections that shrink the heap after a start
    // (V8's memory reducer, at the first idle moments) and the first heartbeat's warm-up fall
    // in it; what follows is the steady cost of waiting, a heartbeat a minute.
    const { settle } = o;
    await pause(settle * 1000);
    const settled = processUsage(watch.proc.pid);
    const settledAt = performance.now();
    await pause((o.rest - settle) * 1000);
    const seconds = (performance.now() - restStarted) / 1000;
    const after = processUsage(watch.proc.pid);
    const cpu = after.cpuSeconds - before.cpuSeconds;
    const steadySeconds = (performance.now() - settledAt) / 1000;
    const steadyCpu = after.cpuSeconds - settled.cpuSeconds;
    const steady =
      settle > 0
        ? ` (after its first ${settle} s: ${steadyCpu.toFixed(2)} s in ${steadySeconds.toFixed(0)} s = ` +
          `${((steadyCpu / steadySeconds) * 100).toFixed(3)}%)`
        : '';
    console.log(
      `  at rest ${seconds.toFixed(0)} s: CPU ${cpu.toFixed(2)} s = ` +
        `${((cpu / seconds) * 100).toFixed(3)}% of a core${steady}; ` +
        `RSS ${before.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MB` +
        (tap
          ? `; commands ${describeCounts(tap.counts, o.notify ? ['STATUS', 'LIST', 'NOOP'] : ['STATUS', 'IDLE', 'NOOP'])}`
          : ''),
    );
    if (o.messages <= 0) return;
    state = watchStateFile(stateDir);
    const written = diskWrites(watch.proc.pid);
    const sizeBefore = state.size();
    const journalBefore = state.journalSize();
    for (let i = 0; i < o.messages; i++) {
      const user = setup.users[i % setup.users.length] ?? '';
      const mailbox = setup.mailboxes[(i * 7) % setup.mailboxes.length] ?? 'INBOX';
      await setup.server.append(user, mailbox, [buildMessage({ subject: `scale ${i}` })]);
      await pause(100);
    }
    // A polled mailbox's message waits up to a poll (pollSeconds, 60 s by default).
    const waitSeconds = o.notify ? 60 : 120;
    const all = await waitUntil(() => watch.newMail().distinct >= o.messages, waitSeconds * 1000);
    await pause(2_000); // the last writes land
    const bytes = diskWrites(watch.proc.pid) - written;
    const { lines, distinct } = watch.newMail();
    console.log(
      `  ${o.messages} message(s) delivered, ${distinct} announced (${lines} line(s))` +
        `${all ? '' : ` — not all within ${waitSeconds} s`}: ${(bytes / 1024).toFixed(1)} KiB written ` +
        `(write_bytes) = ${(bytes / Math.max(1, distinct) / 1024).toFixed(1)} KiB per message; ` +
        `state.json replaced ${state.replaced()} time(s), ` +
        `${(sizeBefore / 1024).toFixed(1)} → ${(state.size() / 1024).toFixed(1)} KiB; ` +
        `state.journal ${(journalBefore / 1024).toFixed(1)} → ${(state.journalSize() / 1024).toFixed(1)} KiB`,
    );
  } finally {
    state?.close();
    await watch.proc.stop();
  }
}

/**
 * `--login-mode`: Dovecot's imap-login forks a process per connection by default (its
 * high-security mode); in high-performance mode a few processes take every login. On 2 cores
 * shared with the server, a restart's 20 forks are about a third of its wall time: the mode
 * tells Tidings' own start apart from the server's (bench/RESULTS.md, issue 23).
 */
function parseLoginMode(
  text: string | undefined,
  server: string,
): 'high-security' | 'high-performance' | undefined {
  if (text === undefined) return undefined;
  if (server !== 'dovecot') throw new Error('--login-mode is for Dovecot');
  if (text === 'high-security' || text === 'high-performance') return text;
  throw new Error(`--login-mode wants high-security or high-performance, not "${text}"`);
}
