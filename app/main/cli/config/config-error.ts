/**
 * A config file (or the environment) that cannot be used, with one line per problem: the
 * commands exit with code 2. Its own module, so that everything that checks config can
 * throw it without importing the loader (autoconfig-env and load-config imported each other).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}
