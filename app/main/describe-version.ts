/** The version line `tidings --version` and the app's About line show. */
import { buildVersion } from './version.js';

/** "0.1.0 (abc1234def56)": the version, and the commit when the build knows it. */
export function describeVersion(build = buildVersion): string {
  return build.commit === 'unknown' ? build.version : `${build.version} (${build.commit})`;
}
