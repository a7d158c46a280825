import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import SummaryLineReporter, {
  summarize,
  type ModuleLike,
  type SuiteLike,
} from './summary-line-reporter.js';

/** A suite that ran (or failed) with these hook errors. */
function suite(state: string, errors: unknown[] = []): SuiteLike {
  return { state: () => state, errors: () => errors };
}

/** A module like vitest's TestModule: its own state and errors, tests by state, and suites. */
function module(
  name: string,
  o: { state?: string; errors?: unknown[]; tests?: string[]; suites?: SuiteLike[] } = {},
): ModuleLike {
  const tests = (o.tests ?? []).map((state) => ({ result: () => ({ state }) }));
  return {
    relativeModuleId: name,
    ...suite(o.state ?? 'passed', o.errors),
    children: { allTests: () => tests, allSuites: () => o.suites ?? [] },
  };
}

describe('the closing line', () => {
  it('counts passed, failed and skipped tests', () => {
    const modules = [
      module('a.test.ts', { tests: ['passed', 'passed', 'skipped'] }),
      module('b.test.ts', { state: 'failed', tests: ['failed', 'passed'] }),
    ];
    expect(summarize(modules).line).toBe('tests: 3 passed, 1 failed, 1 skipped');
  });

  it('counts a file whose beforeAll failed as failed, though its tests are only skipped', () => {
    // As vitest reports it: the error sits on the describe block, the tests are "skipped".
    const renderer = module('test/renderer/settings-window.test.ts', {
      state: 'failed',
      tests: ['skipped', 'skipped', 'skipped'],
      suites: [suite('failed', [new Error('chromium not found')])],
    });
    const summary = summarize(
      [module('ok.test.ts', { tests: ['passed'] }), renderer],
      [],
      'failed',
    );
    expect(summary.failed).toBe(1);
    expect(summary.line).toBe(
      'tests: 1 passed, 1 failed, 3 skipped (1 outside a test: test/renderer/settings-window.test.ts)',
    );
  });

  it('counts a top-level beforeAll or afterAll error, which sits on the module itself', () => {
    const top = module('top.test.ts', {
      state: 'failed',
      errors: [new Error('hook')],
      tests: ['passed'],
    });
    expect(summarize([top]).line).toBe(
      'tests: 1 passed, 1 failed, 0 skipped (1 outside a test: top.test.ts)',
    );
  });

  it('counts a file that failed to load and has no tests', () => {
    const broken = module('load.test.ts', { state: 'failed', errors: [new SyntaxError('x')] });
    expect(summarize([broken]).failed).toBe(1);
  });

  it('counts a failed module with children even when vitest attached no error to it', () => {
    const odd = module('odd.test.ts', { state: 'failed', tests: ['skipped', 'passed'] });
    expect(summarize([odd]).line).toBe(
      'tests: 1 passed, 1 failed, 1 skipped (1 outside a test: odd.test.ts)',
    );
  });

  it('adds a failed hook to failed tests of the same file, and names a file once', () => {
    const mixed = module('mixed.test.ts', {
      state: 'failed',
      errors: [new Error('afterAll')],
      tests: ['failed', 'skipped'],
      suites: [suite('failed', [new Error('beforeAll')])],
    });
    expect(summarize([mixed]).line).toBe(
      'tests: 0 passed, 3 failed, 1 skipped (2 outside a test: mixed.test.ts)',
    );
  });

  it('counts unhandled errors as failures', () => {
    const summary = summarize([module('a.test.ts', { tests: ['passed'] })], [{}, {}], 'failed');
    expect(summary.line).toBe(
      'tests: 1 passed, 2 failed, 0 skipped (2 outside a test: an unhandled error)',
    );
  });

  it('never says 0 failed when vitest failed the run', () => {
    const summary = summarize([module('a.test.ts', { tests: ['passed'] })], [], 'failed');
    expect(summary.failed).toBe(1);
  });

  it('shows at most three names', () => {
    const names = ['a', 'b', 'c', 'd'].map((n) => module(n, { state: 'failed', errors: [1] }));
    expect(summarize(names).line).toMatch(/\(4 outside a test: a, b, c, …\)$/);
  });

  it('says when the run was interrupted', () => {
    const summary = summarize(
      [module('a.test.ts', { tests: ['passed', 'pending'] })],
      [],
      'interrupted',
    );
    expect(summary.line).toBe('tests: 1 passed, 0 failed, 1 skipped (interrupted)');
  });
});

describe('SummaryLineReporter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the closing line to stdout at the end of the run', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const modules = [module('a.test.ts', { tests: ['passed'] })] as unknown as TestModule[];
    new SummaryLineReporter().onTestRunEnd(modules, [], 'passed');
    expect(write).toHaveBeenCalledWith('\ntests: 1 passed, 0 failed, 0 skipped\n');
  });
});
