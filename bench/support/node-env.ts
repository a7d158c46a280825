/**
 * The environment the benchmarks start `tidings watch` in. Some machines set
 * NODE_EXTRA_CA_CERTS for their own proxy (this one does: /etc/ssl/certs/ca-certificates.crt),
 * and Node 20 reads that whole bundle as it starts, before any of our code runs: about 40 ms
 * of every start here, which a desktop that does not set it never pays. Start-up figures are
 * of Tidings, so the watch processes run without it unless asked to keep it; the cost it
 * would add is measured and printed beside them (`node -e 0` with and without).
 */
import { spawnSync } from 'node:child_process';
import { quantile } from './stats.js';

const EXTRA_CA = 'NODE_EXTRA_CA_CERTS';

/** Variables to set or (undefined) leave out of a watch process's environment. */
export type EnvChanges = Record<string, string | undefined>;

/** What `keep` leaves of this machine's environment, and a line saying so for the output. */
export function watchEnvironment(keep: boolean): { env: EnvChanges; note: string | undefined } {
  const file = process.env[EXTRA_CA];
  if (file === undefined || file === '') return { env: {}, note: undefined };
  const cost = startCost(file);
  if (keep) {
    return {
      env: {},
      note: `  (${EXTRA_CA} kept, as this machine sets it: ${cost} ms per Node start)`,
    };
  }
  return {
    env: { [EXTRA_CA]: undefined },
    note:
      `  (${EXTRA_CA}, which this machine sets, left out of the watch's environment: Node reads ` +
      `that CA bundle at each start, ${cost} ms more for \`node -e 0\`; --keep-extra-ca keeps it)`,
  };
}

/** How much longer `node -e 0` takes with NODE_EXTRA_CA_CERTS=file than without, p50 of 7. */
function startCost(file: string): string {
  const time = (env: NodeJS.ProcessEnv): number => {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
    return performance.now() - started;
  };
  const without = { ...process.env, [EXTRA_CA]: undefined };
  const deltas: number[] = [];
  for (let i = 0; i < 7; i++) {
    deltas.push(time({ ...process.env, [EXTRA_CA]: file }) - time(without));
  }
  return `p50 ${quantile(deltas, 0.5).toFixed(0)}`;
}
