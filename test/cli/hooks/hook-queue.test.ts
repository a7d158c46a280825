import { describe, expect, it } from 'vitest';
import { HookQueue, type HookBatch } from '../../../app/main/cli/hooks/hook-queue.js';
import { ManualClock } from '../../support/manual-clock.js';

/** A queue whose runs stay open until the test ends them. */
function queue(options: { delayMs?: number; restartOnPush?: boolean; maxItems?: number } = {}) {
  const clock = new ManualClock();
  const runs: Array<{ key: string; batch: HookBatch<number>; end: () => void }> = [];
  const hooks = new HookQueue<number>({
    clock,
    delayMs: () => options.delayMs ?? 0,
    restartOnPush: options.restartOnPush ?? false,
    ...(options.maxItems !== undefined ? { maxItems: options.maxItems } : {}),
    run: (key, batch) => new Promise<void>((resolve) => runs.push({ key, batch, end: resolve })),
  });
  // A run's end reaches the queue through a promise: let it settle.
  const end = async (index: number) => {
    runs[index]?.end();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { clock, runs, hooks, end };
}

describe('HookQueue', () => {
  it('runs once per item arriving while no run is going', async () => {
    const { clock, runs, hooks, end } = queue();
    for (let i = 1; i <= 3; i++) {
      hooks.push('work/INBOX', i);
      clock.advance(0);
      expect(runs).toHaveLength(i);
      await end(i - 1);
    }
    expect(runs.map((run) => run.batch)).toEqual([
      { items: [1], count: 1 },
      { items: [2], count: 1 },
      { items: [3], count: 1 },
    ]);
  });

  it('gives the items of one turn (one sync) a single run', () => {
    const { clock, runs, hooks } = queue();
    [1, 2, 3].forEach((item) => hooks.push('work/INBOX', item));
    clock.advance(0);
    expect(runs.map((run) => run.batch)).toEqual([{ items: [1, 2, 3], count: 3 }]);
  });

  it('queues exactly one more run for everything that arrives during a run', async () => {
    const { clock, runs, hooks, end } = queue();
    hooks.push('work/INBOX', 1);
    clock.advance(0);
    for (let i = 2; i <= 20; i++) {
      hooks.push('work/INBOX', i);
      clock.advance(1000);
    }
    expect(runs).toHaveLength(1);
    await end(0);
    expect(runs).toHaveLength(2);
    expect(runs[1]?.batch.count).toBe(19);
    expect(runs[1]?.batch.items.at(-1)).toBe(20);
    await end(1);
    clock.advance(60_000);
    expect(runs).toHaveLength(2);
  });

  it('keeps lanes apart: a slow mailbox does not hold another back', () => {
    const { clock, runs, hooks } = queue();
    hooks.push('work/INBOX', 1);
    hooks.push('work/Lists', 2);
    clock.advance(0);
    expect(runs.map((run) => [run.key, run.batch.items])).toEqual([
      ['work/INBOX', [1]],
      ['work/Lists', [2]],
    ]);
  });

  it('keeps only the newest items of a huge batch, counting them all', async () => {
    const { clock, runs, hooks, end } = queue({ maxItems: 100 });
    hooks.push('work/INBOX', 0);
    clock.advance(0);
    for (let i = 1; i <= 1000; i++) hooks.push('work/INBOX', i);
    clock.advance(0);
    await end(0);
    expect(runs[1]?.batch.count).toBe(1000);
    expect(runs[1]?.batch.items).toHaveLength(100);
    expect(runs[1]?.batch.items[0]).toBe(901);
    expect(runs[1]?.batch.items.at(-1)).toBe(1000);
  });

  it('settles: runs once no item has come for the delay, each item restarting the wait', async () => {
    const { clock, runs, hooks, end } = queue({ delayMs: 2000, restartOnPush: true });
    for (let i = 1; i <= 10; i++) {
      hooks.push('work', i);
      clock.advance(1999);
    }
    expect(runs).toHaveLength(0);
    clock.advance(1);
    expect(runs.map((run) => run.batch)).toEqual([
      { items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], count: 10 },
    ]);
    // A burst during the run: settled, it waits for the run to end, then runs once.
    hooks.push('work', 11);
    hooks.push('work', 12);
    clock.advance(5000);
    expect(runs).toHaveLength(1);
    await end(0);
    expect(runs[1]?.batch).toEqual({ items: [11, 12], count: 2 });
    await end(1);
    clock.advance(60_000);
    expect(runs).toHaveLength(2);
  });

  it('starts nothing after close, and a run that throws does not block its lane', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const hooks = new HookQueue<number>({
      clock,
      delayMs: () => 0,
      restartOnPush: false,
      run: () => {
        calls += 1;
        throw new Error('boom');
      },
    });
    hooks.push('a', 1);
    clock.advance(0);
    await new Promise((resolve) => setImmediate(resolve));
    hooks.push('a', 2);
    clock.advance(0);
    expect(calls).toBe(2);
    hooks.push('a', 3);
    hooks.close();
    clock.advance(1000);
    hooks.push('a', 4);
    clock.advance(1000);
    expect(calls).toBe(2);
  });
});
