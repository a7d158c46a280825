/**
 * The benchmark runner: `npm run bench [-- NAME [options]]`. Each benchmark prints figures;
 * none passes or fails.
 */
import { run as announceLatency } from './announce-latency.js';
import { run as burst } from './burst.js';
import { run as costAtRest } from './cost-at-rest.js';
import { run as fallback } from './fallback.js';
import { run as preview } from './preview.js';
import { run as recovery } from './recovery.js';
import { run as refreshAndStartup } from './refresh-and-startup.js';
import { run as scale } from './scale.js';
import { run as soakMulti } from './soak-multi.js';
import { run as soakReconnect } from './soak-reconnect.js';
import { run as withdraw } from './withdraw.js';

const benchmarks: Record<string, (argv: string[]) => Promise<void>> = {
  'announce-latency': announceLatency,
  burst,
  'refresh-and-startup': refreshAndStartup,
  recovery,
  'soak-reconnect': soakReconnect,
  'soak-multi': soakMulti,
  'cost-at-rest': costAtRest,
  fallback,
  scale,
  withdraw,
  preview,
};

const [name, ...rest] = process.argv.slice(2);
const selected = name ? { [name]: benchmarks[name] } : benchmarks;
for (const [benchName, benchmark] of Object.entries(selected)) {
  if (!benchmark) {
    console.error(`unknown benchmark "${benchName}"; known: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
  await benchmark(name ? rest : []);
}
