/**
 * One hook run, without tidings watch around it: a timeout ends everything the hook started,
 * whatever its shell did with SIGTERM, and argv words reach the command as they are.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHookCommand } from '../../../app/main/cli/hooks/hook-command.js';
import { isAlive } from '../../support/hook-script.js';

const run = { env: {}, stdin: '', timeoutMs: 300, killGraceMs: 300 };

// Process groups and /bin/sh are POSIX: on Windows a hook's children cannot be ended this way
// (hook-command.ts kills the direct child only), and there is nothing of this to test.
describe.skipIf(process.platform === 'win32')('a hook run', () => {
  it('kills a child that ignores SIGTERM when the shell itself dies of it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-hook-'));
    const pidFile = path.join(dir, 'child.pid');
    // The shell dies of SIGTERM at once; its child ignores SIGTERM and would sleep on.
    const { done } = startHookCommand(
      `(trap '' TERM; exec sleep 30) & echo $! > '${pidFile}'; wait`,
      run,
    );
    const result = await done;
    expect(result.outcome).toMatch(/after timing out$/);
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(child).toBeGreaterThan(0);
    // SIGKILL has gone out by now; the kernel ends the process a moment later.
    await expect.poll(() => isAlive(child), { timeout: 2_000 }).toBe(false);
  });

  it('passes argv words with shell characters to the command as they are, with no shell', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-hook-'));
    const out = path.join(dir, 'argv.json');
    const words = ['$(touch pwned)', '`id`', 'a; rm -rf ~', '"quoted"', "it's", '*'];
    const script = `require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(1)))`;
    const { done } = startHookCommand([process.execPath, '-e', script, ...words], {
      ...run,
      env: {},
      timeoutMs: 10_000,
    });
    expect((await done).ok).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(words);
  });
});
