/**
 * `tidings watch` starts with V8's optimizing compiler held back for a while (optimizer-hold.ts):
 * a function run hot meanwhile is not optimized, is once the hold ends, and a Node started
 * with its own choice of compilers keeps it. Run in a child Node, whose V8 flags are its own,
 * asking V8 for a function's tier (`%ActiveTierIsTurbofan`, a V8 test intrinsic).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { holdOptimizer, releaseOptimizer } from '../../../app/main/cli/commands/optimizer-hold.js';

const BUILT = fileURLToPath(
  new URL('../../../dist/main/cli/commands/optimizer-hold.js', import.meta.url),
);

/**
 * In the child: hold for `holdMs`, run a function hot, then after the hold run it hot again
 * until TurboFan has it (or `waitMs` pass). Prints whether hold() held, and whether the function was
 * optimized by TurboFan during and after the hold.
 */
const CHILD = `
const { holdOptimizer } = await import(process.argv[1]);
const hot = (n) => { let s = 0; for (let i = 0; i < n; i++) s += (i * 7) % 13; return s; };
const turbofanned = () => %ActiveTierIsTurbofan(hot);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const held = holdOptimizer(Number(process.argv[2]));
const started = Date.now();
while (Date.now() - started < Number(process.argv[2]) / 2) { hot(1000); await pause(1); }
const during = turbofanned();
await pause(Number(process.argv[2]));
const after = Date.now();
while (!turbofanned() && Date.now() - after < Number(process.argv[3])) { hot(1000); await pause(1); }
console.log(JSON.stringify({ held, during, after: turbofanned() }));
`;

function runChild(
  nodeFlags: string[],
  holdMs: number,
  waitMs: number,
): { held: boolean; during: boolean; after: boolean } {
  const child = spawnSync(
    process.execPath,
    [
      '--allow-natives-syntax',
      ...nodeFlags,
      '--input-type=module',
      '-e',
      CHILD,
      BUILT,
      String(holdMs),
      String(waitMs),
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 30_000 },
  );
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as { held: boolean; during: boolean; after: boolean };
}

describe('the optimizer hold at the start of tidings watch', () => {
  it('keeps TurboFan off a hot function while it lasts, and lets it on after', () => {
    expect(runChild([], 400, 5000)).toEqual({ held: true, during: false, after: true });
  });

  it('does not hold, nor release, when Node was started with its own choice of compilers', () => {
    // --max-opt=2: up to Maglev. A release would have let TurboFan on, within about 0.3 s of
    // the loop above (the test before).
    expect(runChild(['--max-opt=2'], 400, 1500)).toEqual({
      held: false,
      during: false,
      after: false,
    });
  });

  it("reads the options that choose compilers, in each of V8's spellings, from the command line and NODE_OPTIONS", () => {
    for (const options of [
      ['--jitless'],
      ['-jitless'],
      ['--lite-mode'],
      ['--max_opt=1'],
      ['--no-opt'],
      ['--noopt'],
      ['--noturbofan'],
      ['--require', 'x', '--turbofan'],
    ]) {
      expect(holdOptimizer(1, options)).toBe(false);
    }
    expect(
      holdOptimizer(1, [
        '--require',
        'x',
        '--max-old-space-size=100',
        '--optimize-for-size',
        '--no-maglev',
        '--nodeprecation',
      ]),
    ).toBe(true);
    releaseOptimizer();
  });
});
