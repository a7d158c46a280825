/**
 * Prints "tests: N passed, N failed, N skipped" as the run's last line, the plain closing line
 * our CI reads to tell a run that tested something from one that ran nothing. A file that
 * failed to load, a failed hook and an unhandled error each count as one failure, named after
 * the counts: vitest exits non-zero for them, and a line saying "0 failed" would lie.
 */
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

/** The parts of a vitest TestSuite (or TestModule) the summary reads. */
export interface SuiteLike {
  state(): string;
  /** Errors outside any test: load errors for a module, hook errors for a suite. */
  errors(): readonly unknown[];
}

/** The parts of a vitest TestModule the summary reads. */
export interface ModuleLike extends SuiteLike {
  relativeModuleId: string;
  children: {
    allTests(): Iterable<{ result(): { state: string } }>;
    allSuites(): Iterable<SuiteLike>;
  };
}

/** The run's counts and closing line. */
export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  line: string;
}

const NAMES_SHOWN = 3;

/** Counts tests, and failures outside tests, into the closing line. */
export function summarize(
  modules: readonly ModuleLike[],
  unhandledErrors: readonly unknown[] = [],
  reason: TestRunEndReason = 'passed',
): Summary {
  let passed = 0;
  let failedTests = 0;
  let skipped = 0;
  const outside: string[] = [];
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') failedTests++;
      else skipped++;
    }
    // Errors sit on the module or suite where they happened, so each hook counts once; tests
    // a failed beforeAll kept from running are only "skipped" and would hide it otherwise.
    const broken = [module, ...module.children.allSuites()].filter((s) => s.errors().length);
    broken.forEach(() => outside.push(module.relativeModuleId));
    const moduleFailed = module.state() === 'failed';
    if (moduleFailed && !broken.length && !hasFailedTest(module)) {
      outside.push(module.relativeModuleId);
    }
  }
  unhandledErrors.forEach(() => outside.push('an unhandled error'));
  // Whatever else made vitest fail the run must not read as a clean line.
  if (reason === 'failed' && failedTests + outside.length === 0) outside.push('the run');
  const failed = failedTests + outside.length;
  let line = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
  if (outside.length) line += ` (${outside.length} outside a test: ${nameFew(outside)})`;
  if (reason === 'interrupted') line += ' (interrupted)';
  return { passed, failed, skipped, line };
}

/** A vitest reporter that adds one summary line after the default reporter's output. */
export default class SummaryLineReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): void {
    process.stdout.write(`\n${summarize(testModules, unhandledErrors, reason).line}\n`);
  }
}

function hasFailedTest(module: ModuleLike): boolean {
  for (const test of module.children.allTests()) if (test.result().state === 'failed') return true;
  return false;
}

function nameFew(names: readonly string[]): string {
  const unique = [...new Set(names)];
  const shown = unique.slice(0, NAMES_SHOWN).join(', ');
  return unique.length > NAMES_SHOWN ? `${shown}, …` : shown;
}
