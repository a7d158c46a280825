/** Where `tidings watch` and `tidings login` keep their state: `--state-dir`, or conf's place. */
import envPaths from 'env-paths';

/** The state directory: the one given, else the user's config directory (where conf puts it). */
export function resolveStateDir(given: string | undefined): string {
  return given ?? envPaths('tidings', { suffix: '' }).config;
}
