/** Small statistics for benchmark figures. */

/** The q-quantile (0..1) of `values`, by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** min / p50 / p95 / max, formatted in milliseconds. */
export function summarize(values: readonly number[]): string {
  const f = (v: number) => v.toFixed(1).padStart(7);
  return `min ${f(quantile(values, 0))}  p50 ${f(quantile(values, 0.5))}  p95 ${f(
    quantile(values, 0.95),
  )}  max ${f(quantile(values, 1))}  (n=${values.length})`;
}
