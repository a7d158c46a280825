/**
 * How the fast-check suites run, and the checks they share: a few hundred cases in `npm test`,
 * thousands with TIDINGS_FUZZ_SEEDS (`npm run fuzz`). A failure prints fast-check's
 * `{ seed, path }`; set TIDINGS_FUZZ_SEED and TIDINGS_FUZZ_PATH to those values to replay
 * exactly that case (shrunk) again.
 */
import type { Parameters } from 'fast-check';
import { expect } from 'vitest';

const seeds = Number(process.env.TIDINGS_FUZZ_SEEDS);
const seed = process.env.TIDINGS_FUZZ_SEED;
const replayPath = process.env.TIDINGS_FUZZ_PATH;

/** The runs of a property: `fallback` in `npm test`, TIDINGS_FUZZ_SEEDS times `share` in a fuzz run. */
export function fuzzRuns(fallback: number, share = 1): number {
  return Number.isFinite(seeds) && seeds > 0 ? Math.max(1, Math.ceil(seeds * share)) : fallback;
}

/** fast-check's parameters for `runs` cases, pinned to a seed (and path) when one is given. */
export function fuzzParameters<T>(runs: number): Parameters<T> {
  return {
    numRuns: runs,
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(replayPath !== undefined ? { path: replayPath } : {}),
  };
}

/** A test's time limit for `runs` cases at about `msPerRun` each (never under 30 s). */
export function fuzzTimeout(runs: number, msPerRun: number): number {
  return Math.max(30_000, runs * msPerRun * 3);
}

/** C0 and C1 controls, DEL, line separators, bidi marks, overrides and isolates. */
export const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Expects that nothing a document said reached Object.prototype or Array.prototype. */
export function expectNoPollution(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.keys(Array.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}
