/**
 * Summary statistics of per-path metric values (MODEL.md section 5).
 * Quantiles are exact, by linear interpolation between order statistics (Hyndman & Fan type 7,
 * the default of R and NumPy): with values sorted x_0 <= ... <= x_(n-1) and h = (n-1) p,
 * Q(p) = x_floor(h) + (h - floor(h)) (x_(floor(h)+1) - x_floor(h)).
 */

/** z with Phi(z) = 0.975, for 95% normal confidence intervals. */
export const Z975 = 1.959963984540054;

export const QUANTILES = [
  ['p05', 0.05],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p95', 0.95],
] as const;

export interface Summary {
  mean: number;
  /** Standard error of the mean, sample sd / sqrt(n); null for a single path. */
  se: number | null;
  ci95: [number, number] | null;
  min: number;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
}

/** Type-7 quantile of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Summarizes values (summed in index order, so the result never depends on batching). */
export function summarize(values: Float64Array): Summary {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : null;
  const sorted = Float64Array.from(values).sort();
  const q = Object.fromEntries(QUANTILES.map(([k, p]) => [k, quantileSorted(sorted, p)])) as Record<(typeof QUANTILES)[number][0], number>;
  return {
    mean,
    se,
    ci95: se === null ? null : [mean - Z975 * se, mean + Z975 * se],
    min: sorted[0],
    ...q,
    max: sorted[n - 1],
  };
}
