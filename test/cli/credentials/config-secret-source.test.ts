import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigSecretSource } from '../../../app/main/cli/credentials/config-secret-source.js';
import type { AccountSettings } from '../../../app/common/settings-schema.js';

function account(overrides: Partial<AccountSettings>): AccountSettings {
  return {
    id: 'a',
    host: 'h',
    user: 'u',
    tls: 'implicit',
    mailboxes: ['INBOX'],
    allowInsecureAuth: false,
    ...overrides,
  };
}

const newDir = () => mkdtempSync(path.join(tmpdir(), 'tidings-secret-test-'));

/** Whether a process still runs; a zombie counts as gone (here PID 1 may never reap it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  if (process.platform !== 'linux') return true;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** A command whose shell waits on a grandchild `sleep 30` and writes that one's pid. */
function grandchildCommand(dir: string): { command: string; pidFile: string } {
  const pidFile = path.join(dir, 'grandchild.pid');
  return {
    command: `sleep 30 & echo $! > '${pidFile}.tmp'; mv '${pidFile}.tmp' '${pidFile}'; wait`,
    pidFile,
  };
}

describe('ConfigSecretSource', () => {
  it('returns a literal password', async () => {
    await expect(
      new ConfigSecretSource([account({ password: 'p' })]).getPassword('a'),
    ).resolves.toBe('p');
  });

  it('reads the named environment variable', async () => {
    const source = new ConfigSecretSource([account({ passwordEnv: 'PW' })], { PW: 'from-env' });
    await expect(source.getPassword('a')).resolves.toBe('from-env');
  });

  it('runs passwordCommand once and strips one trailing newline', async () => {
    const source = new ConfigSecretSource([
      account({ passwordCommand: 'echo "s3cret  "; echo x >&2' }),
    ]);
    await expect(source.getPassword('a')).resolves.toBe('s3cret  ');
  });

  it('takes only the first line of passwordCommand output, without CR LF', async () => {
    const source = new ConfigSecretSource([
      account({ passwordCommand: "printf 'first line\\r\\nlogin: ann\\nurl: x\\n'" }),
    ]);
    await expect(source.getPassword('a')).resolves.toBe('first line');
  });

  it('runs passwordCommand once for concurrent callers, then answers from memory', async () => {
    const counter = path.join(newDir(), 'runs');
    const source = new ConfigSecretSource([
      account({ passwordCommand: `echo run >> '${counter}'; sleep 0.3; echo pw; echo second` }),
    ]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => source.getPassword('a')));
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
    expect(answers).toEqual(['pw', 'pw', 'pw', 'pw', 'pw']);
    await expect(source.getPassword('a')).resolves.toBe('pw');
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
  });

  it('does not keep a failed run: the next call runs passwordCommand again', async () => {
    const flag = path.join(newDir(), 'ran-once');
    const source = new ConfigSecretSource([
      account({
        passwordCommand: `if [ -e '${flag}' ]; then echo ok; else touch '${flag}'; exit 1; fi`,
      }),
    ]);
    await expect(source.getPassword('a')).rejects.toMatchObject({ code: 'config' });
    await expect(source.getPassword('a')).resolves.toBe('ok');
  });

  it('runs passwordCommand anew after its answer is forgotten (the server rejected it)', async () => {
    const file = path.join(newDir(), 'password');
    writeFileSync(file, 'old\n');
    const source = new ConfigSecretSource([account({ passwordCommand: `cat '${file}'` })]);
    await expect(source.getPassword('a')).resolves.toBe('old');
    writeFileSync(file, 'new\n');
    await expect(source.getPassword('a')).resolves.toBe('old');
    source.forget('a');
    await expect(source.getPassword('a')).resolves.toBe('new');
  });

  it('keeps a passwordCommand run in flight when told to forget, so it runs only once', async () => {
    const counter = path.join(newDir(), 'runs');
    const source = new ConfigSecretSource([
      account({ passwordCommand: `echo run >> '${counter}'; sleep 0.3; echo pw` }),
    ]);
    const first = source.getPassword('a');
    source.forget('a');
    const second = source.getPassword('a');
    await expect(Promise.all([first, second])).resolves.toEqual(['pw', 'pw']);
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
  });

  it('reports a failing passwordCommand by exit status without its output', async () => {
    const source = new ConfigSecretSource([
      account({ passwordCommand: 'echo leaked; echo leaked >&2; exit 3' }),
    ]);
    const failure = source.getPassword('a');
    await expect(failure).rejects.toMatchObject({
      code: 'config',
      message: 'passwordCommand exited with status 3',
    });
  });

  it.skipIf(process.platform === 'win32')(
    'kills the whole process group of a passwordCommand that times out',
    { timeout: 10_000 },
    async () => {
      const { command, pidFile } = grandchildCommand(newDir());
      const source = new ConfigSecretSource(
        [account({ passwordCommand: command })],
        {},
        {
          commandTimeoutMs: 500,
        },
      );
      await expect(source.getPassword('a')).rejects.toMatchObject({
        code: 'config',
        message: 'passwordCommand timed out',
      });
      const grandchild = Number(readFileSync(pidFile, 'utf8'));
      await vi.waitFor(() => expect(isRunning(grandchild)).toBe(false), { timeout: 2_000 });
    },
  );

  it.skipIf(process.platform === 'win32')(
    'answers once the command has exited, though a daemon it started keeps its output open',
    async () => {
      const pidFile = path.join(newDir(), 'daemon.pid');
      // setsid puts the daemon out of the command's process group, with stdout inherited.
      const command = `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 30' & echo daemon-secret`;
      const source = new ConfigSecretSource(
        [account({ passwordCommand: command })],
        {},
        {
          commandTimeoutMs: 20_000,
        },
      );
      const started = Date.now();
      try {
        await expect(source.getPassword('a')).resolves.toBe('daemon-secret');
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true));
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      }
    },
  );

  it.skipIf(process.platform === 'win32')(
    'close kills a running passwordCommand with its children',
    { timeout: 10_000 },
    async () => {
      const { command, pidFile } = grandchildCommand(newDir());
      const source = new ConfigSecretSource([account({ passwordCommand: command })]);
      const pending = source.getPassword('a');
      await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true), { timeout: 5_000 });
      const grandchild = Number(readFileSync(pidFile, 'utf8'));
      source.close();
      await expect(pending).rejects.toMatchObject({
        code: 'config',
        message: 'passwordCommand was stopped',
      });
      await vi.waitFor(() => expect(isRunning(grandchild)).toBe(false), { timeout: 2_000 });
    },
  );
});
