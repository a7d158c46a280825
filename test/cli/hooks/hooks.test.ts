/**
 * Hooks of a real `tidings watch --json` against the test Dovecot: each run of the hook
 * script records its argv, TIDINGS_* environment and stdin, so the tests count runs and
 * read exactly what each one was given.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { createHookScript, isAlive, type HookRunRecord } from '../../support/hook-script.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import {
  isStatus,
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
  waitForStderr,
} from '../../support/watch-process.js';

let dovecot: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));
let userCount = 0;

function newUser(): { user: string; password: string } {
  const user = `hook${++userCount}`;
  dovecot.addUser(user, 'secret');
  return { user, password: 'secret' };
}

function account(id: string, user: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    host: dovecot.host,
    port: dovecot.port,
    tls: 'none',
    allowInsecureAuth: true,
    user,
    password: 'secret',
    ...extra,
  };
}

function config(accounts: unknown[], hooks?: Record<string, unknown>) {
  return {
    accounts,
    liveness: { heartbeatSeconds: 5, commandTimeoutSeconds: 5 },
    ...(hooks ? { hooks } : {}),
  };
}

async function watch(
  cfg: unknown,
  idle: Array<[string, string]>,
  env: NodeJS.ProcessEnv = {},
): Promise<WatchProcess> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
  const proc = startWatch({ configFile: writeConfig(cfg), stateDir, env });
  cleanups.push(() => proc.stop());
  try {
    await Promise.all(
      idle.map(([a, m]) => proc.events.waitFor(isStatus(a, m, 'idle'), `${a}/${m} idle`)),
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nstderr:\n${proc.stderr()}`);
  }
  return proc;
}

const newMail = (messageId: string) => (e: WatchEvent) =>
  e.event === 'new-mail' && e.messageId === messageId;

/** Appends one message and waits for its new-mail line; returns that line. */
async function deliver(
  proc: WatchProcess,
  user: string,
  subject: string,
  mailbox = 'INBOX',
): Promise<WatchEvent> {
  const messageId = newMessageId();
  await dovecot.append(user, mailbox, [
    buildMessage({ from: 'Ann Example <ann@example.test>', subject, messageId }),
  ]);
  return proc.events.waitFor(newMail(messageId), `new mail "${subject}"`);
}

interface StdinLine {
  hook: string;
  account: string;
  mailbox?: string;
  count: number;
  messages: WatchEvent[];
}

const stdinOf = (run: HookRunRecord) => JSON.parse(run.stdin) as StdinLine;

/** The environment a run should have had for this new-mail line, covering `count`. */
function envFor(line: WatchEvent, count: number): Record<string, string> {
  return {
    TIDINGS_ACCOUNT: String(line.account),
    TIDINGS_MAILBOX: String(line.mailbox),
    TIDINGS_UID: String(line.uid),
    TIDINGS_UID_VALIDITY: String(line.uidValidity),
    TIDINGS_MESSAGE_ID: String(line.messageId),
    TIDINGS_FROM: String(line.from),
    TIDINGS_SUBJECT: String(line.subject),
    TIDINGS_COUNT: String(count),
  };
}

describe('tidings watch hooks', () => {
  it('runs onNewMail once per message arriving one by one, the message only in its environment and stdin', async () => {
    const { user } = newUser();
    const hook = createHookScript();
    const work = account('work', user, {
      password: undefined,
      passwordEnv: 'HOOK_TEST_PASSWORD',
      onNewMail: hook.argv('plain'),
    });
    const proc = await watch(config([work]), [['work', 'INBOX']], {
      HOOK_TEST_PASSWORD: 'secret',
      HOOK_TEST_OTHER: 'kept',
    });
    const lines: WatchEvent[] = [];
    for (const subject of ['First', 'Second', 'Third']) {
      lines.push(await deliver(proc, user, subject));
      await hook.waitForRuns(lines.length);
    }
    const runs = hook.runs();
    expect(runs).toHaveLength(3);
    runs.forEach((run, index) => {
      const line = lines[index] as WatchEvent;
      expect(run.argv).toEqual(hook.argv('plain').slice(2));
      // The environment is ours, less the variable the config names for a password.
      expect(run.inherited).toEqual(['HOOK_TEST_OTHER']);
      expect(run.env).toEqual(envFor(line, 1));
      expect(stdinOf(run)).toEqual({
        hook: 'onNewMail',
        account: 'work',
        mailbox: 'INBOX',
        count: 1,
        messages: [line],
      });
      expect(run.stdin.endsWith('\n')).toBe(true);
    });
    expect(proc.strayStdout).toEqual([]);
  });

  it('queues exactly one run for the mail that arrives during a slow run, covering all of it', async () => {
    const { user } = newUser();
    const hook = createHookScript();
    const gate = path.join(hook.dir, 'open');
    const proc = await watch(
      config([account('work', user, { onNewMail: hook.argv('gate', gate) })]),
      [['work', 'INBOX']],
    );
    await deliver(proc, user, 'Before the burst');
    await hook.waitForRuns(1);
    const burst: WatchEvent[] = [];
    for (let i = 1; i <= 5; i++) burst.push(await deliver(proc, user, `Burst ${i}`));
    // The stream did not wait for the hook: all five lines are out while it still runs.
    expect(hook.runs()).toHaveLength(1);
    writeFileSync(gate, '');
    const [, second] = await hook.waitForRuns(2);
    const newest = burst.at(-1) as WatchEvent;
    expect(second?.env).toEqual(envFor(newest, 5));
    const stdin = stdinOf(second as HookRunRecord);
    expect(stdin.count).toBe(5);
    expect(stdin.messages).toEqual(burst);

    // The next message gets a run of its own: nothing else was queued behind the burst.
    const after = await deliver(proc, user, 'After the burst');
    const runs = await hook.waitForRuns(3);
    expect(runs).toHaveLength(3);
    expect(runs[2]?.env).toEqual(envFor(after, 1));
  });

  it('runs onNewMailPost once per account after a burst has settled, the account’s own hook winning over the global one', async () => {
    const { user } = newUser();
    const post = createHookScript('post');
    const global = createHookScript('global');
    await dovecot.withClient(user, (client) => client.mailboxCreate('Lists'));
    const proc = await watch(
      config(
        [account('work', user, { mailboxes: ['INBOX', 'Lists'], onNewMailPost: post.argv() })],
        {
          onNewMailPost: global.argv(),
          settleSeconds: 2,
        },
      ),
      [
        ['work', 'INBOX'],
        ['work', 'Lists'],
      ],
    );
    // A storm in two mailboxes at once: each APPEND is one transaction, its mail one sync.
    const storm = [1, 2, 3, 4].map((i) => buildMessage({ subject: `Storm ${i}` }));
    await Promise.all([
      dovecot.append(user, 'INBOX', storm),
      dovecot.append(user, 'Lists', [buildMessage({ subject: 'Storm in Lists' })]),
    ]);
    const burst = await proc.events.waitForCount((e) => e.event === 'new-mail', 5, 'the storm');
    const [run] = await post.waitForRuns(1);
    const stdin = stdinOf(run as HookRunRecord);
    expect(stdin).toMatchObject({ hook: 'onNewMailPost', account: 'work', count: 5 });
    expect(stdin.messages).toEqual(burst);
    expect(run?.env).toEqual(envFor(burst.at(-1) as WatchEvent, 5));

    const later = await deliver(proc, user, 'Later');
    const runs = await post.waitForRuns(2);
    expect(runs).toHaveLength(2);
    expect(runs[1]?.env).toEqual(envFor(later, 1));
    expect(global.runs()).toEqual([]);
  });

  it('keeps a hostile subject inert in the array form and through the shell', async () => {
    const { user } = newUser();
    const markers = mkdtempSync(path.join(tmpdir(), 'tidings-markers-'));
    const arrayHook = createHookScript('array');
    const shellHook = createHookScript('shell');
    const echoed = path.join(shellHook.dir, 'subject.txt');
    // What a user would write: the subject handed to a program through the shell, quoted.
    const shellCommand = `printf '%s' "$TIDINGS_SUBJECT" > '${echoed}'; ${shellHook.shell()}`;
    const proc = await watch(
      config([account('work', user, { onNewMail: arrayHook.argv() })], {
        onNewMailPost: shellCommand,
        settleSeconds: 0,
      }),
      [['work', 'INBOX']],
    );
    const touch = (name: string) => `touch ${path.join(markers, name)}`;
    // Encoded words carry a newline and a tab that a raw header line could not.
    const subject =
      `$(${touch('dollar')}) \`${touch('backtick')}\` '; ${touch('semicolon')}; echo ' ` +
      `" && ${touch('quote')} " | ${touch('pipe')} =?UTF-8?Q?=0A${touch('newline').replaceAll(' ', '_')}=09end?=`;
    const line = await deliver(proc, user, subject);
    const [arrayRun] = await arrayHook.waitForRuns(1);
    const [shellRun] = await shellHook.waitForRuns(1);

    expect(line.subject).toContain(`$(${touch('dollar')})`);
    expect(line.subject).toContain(`\`${touch('backtick')}\``);
    expect(arrayRun?.env.TIDINGS_SUBJECT).toBe(line.subject);
    expect(shellRun?.env.TIDINGS_SUBJECT).toBe(line.subject);
    expect(stdinOf(arrayRun as HookRunRecord).messages[0]?.subject).toBe(line.subject);
    expect(arrayRun?.argv).toEqual([arrayHook.argv()[2]]);
    expect(readFileSync(echoed, 'utf8')).toBe(line.subject);
    expect(readdirSync(markers)).toEqual([]);
  });

  it('kills a hanging hook and all it started after the timeout, and goes on announcing and hooking mail', async () => {
    const { user } = newUser();
    const hook = createHookScript();
    const hungOnce = path.join(hook.dir, 'hung');
    const proc = await watch(
      config([account('work', user, { onNewMail: hook.argv('hang-once', hungOnce) })], {
        timeoutSeconds: 1,
      }),
      [['work', 'INBOX']],
    );
    await deliver(proc, user, 'Hangs the hook');
    const [hung] = await hook.waitForRuns(1);
    await waitForStderr(
      proc,
      /onNewMail ".*" for work\/INBOX \(1 new\) was killed by SIGKILL after timing out/,
    );
    expect(isAlive(hung?.pid ?? 0)).toBe(false);
    expect(isAlive(hung?.grandchild ?? 0)).toBe(false);

    const next = await deliver(proc, user, 'After the hang');
    const runs = await hook.waitForRuns(2);
    expect(runs).toHaveLength(2);
    expect(runs[1]?.env).toEqual(envFor(next, 1));
    expect(proc.running()).toBe(true);
  });

  it('logs a missing command by name and a failing, flooding one by its status and last words, and goes on', async () => {
    const { user } = newUser();
    const flood = createHookScript('flood');
    await dovecot.withClient(user, (client) => client.mailboxCreate('Other'));
    const proc = await watch(
      config([
        account('missing', user, { onNewMail: ['tidings-no-such-hook-command', '--flag'] }),
        account('flood', user, { mailboxes: ['Other'], onNewMail: flood.argv('flood') }),
      ]),
      [
        ['missing', 'INBOX'],
        ['flood', 'Other'],
      ],
    );
    await deliver(proc, user, 'Nobody runs for this');
    await waitForStderr(
      proc,
      /onNewMail "tidings-no-such-hook-command" for missing\/INBOX \(1 new\) could not start \(ENOENT: no such command\)/,
    );
    await deliver(proc, user, 'Floods', 'Other');
    const failed = await waitForStderr(
      proc,
      /onNewMail ".*" for flood\/Other \(1 new\) exited with status 3; stderr: .*the last words of a failing hook/,
    );
    expect(failed.length).toBeLessThan(1_000);
    expect(proc.strayStdout).toEqual([]);
    expect(proc.stdout()).not.toContain('xxxx');

    const line = await deliver(proc, user, 'Still watched');
    expect(line.account).toBe('missing');
    await waitForStderr(proc, /for missing\/INBOX \(1 new\) could not start/, 2);
  });

  it('ends a running hook, and what it started, when tidings watch is stopped', async () => {
    const { user } = newUser();
    const hook = createHookScript();
    const proc = await watch(
      config([
        account('work', user, { onNewMail: hook.argv('hang-once', path.join(hook.dir, 'h')) }),
      ]),
      [['work', 'INBOX']],
    );
    await deliver(proc, user, 'Hangs until shutdown');
    const [hung] = await hook.waitForRuns(1);
    expect(isAlive(hung?.pid ?? 0)).toBe(true);
    expect(await proc.stop()).toBe(0);
    expect(isAlive(hung?.pid ?? 0)).toBe(false);
    expect(isAlive(hung?.grandchild ?? 0)).toBe(false);
    expect(existsSync(path.join(hook.dir, 'h'))).toBe(true);
  });
});
