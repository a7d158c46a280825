/**
 * A config file (or the environment) that cannot be used, with one line per problem: the
 * commands exit with code 2. Its own module, so that everything that checks config can
 * throw it without importing the loader (autoconfig-env and load-config imported each other).
 */
import { toPrintableLine } from '../../../common/printable-line.js';

/** A config that cannot be used, with one printable line per problem (exit code 2). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** One printable line each: a problem that echoes the file (a key, a name) cannot add lines. */
  readonly problems: string[];
  constructor(
    readonly file: string,
    problems: readonly string[],
  ) {
    const lines = problems.map((problem) => toPrintableLine(problem));
    super(`${file}: invalid configuration\n${lines.map((p) => `  ${p}`).join('\n')}`);
    this.problems = lines;
  }
}
