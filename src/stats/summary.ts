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
  /** Distribution-free 95% intervals of p05, p50 and p95 from order statistics (percentileInterval). */
  p05_ci95: [number, number];
  p50_ci95: [number, number];
  p95_ci95: [number, number];
}

/** The statistics of a metric over a group of paths (docs/model.md section 7's STATS); null values for no paths. */
export interface GroupStats {
  mean: number | null;
  se: number | null;
  ci95: [number | null, number | null];
  p05: number | null;
  p50: number | null;
  p95: number | null;
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

/**
 * Mean of values (summed in index order) and its standard error, sample sd / sqrt(n); null for a
 * single value.
 */
export function meanAndSe(values: Float64Array): { mean: number; se: number | null } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, se: n > 1 ? Math.sqrt(ss / (n - 1) / n) : null };
}

/**
 * The standard error of the mean from batches of `size` consecutive values as replicates (the
 * blocks of a Latin hypercube run): se^2 = B/(B-1) Σ w_b^2 (m_b - m)^2 with w_b the batch's share
 * of the values; null with fewer than two batches.
 */
export function batchSe(values: Float64Array, mean: number, size: number): number | null {
  const n = values.length;
  const batches = Math.ceil(n / size);
  if (batches < 2) return null;
  let acc = 0;
  for (let b = 0; b < batches; b++) {
    const [from, to] = [b * size, Math.min(n, (b + 1) * size)];
    let sum = 0;
    for (let k = from; k < to; k++) sum += values[k];
    const w = (to - from) / n;
    acc += w * w * (sum / (to - from) - mean) ** 2;
  }
  return Math.sqrt((acc * batches) / (batches - 1));
}

/**
 * Wilson's score interval for a proportion p of n, at 95%: it stays inside [0, 1] and is not
 * degenerate at 0 or 1 (0 events in n gives [0, z^2/(n + z^2)]).
 */
export function wilson95(p: number, n: number): [number, number] {
  const z2 = Z975 * Z975;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z975 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [p === 0 ? 0 : Math.max(0, centre - half), p === 1 ? 1 : Math.min(1, centre + half)];
}

/**
 * A distribution-free 95% interval for the q-quantile of n sorted values: [x_(l), x_(u)] (1-based)
 * with l = max(1, floor(n q - 1.959964 sqrt(n q (1-q)))) and u = min(n, ceil(n q + 1.959964
 * sqrt(n q (1-q))) + 1), the normal approximation to the binomial count of values below it.
 */
export function percentileInterval(sorted: ArrayLike<number>, q: number): [number, number] {
  const n = sorted.length;
  const half = Z975 * Math.sqrt(n * q * (1 - q));
  const l = Math.max(1, Math.floor(n * q - half));
  const u = Math.min(n, Math.ceil(n * q + half) + 1);
  return [sorted[l - 1], sorted[u - 1]];
}

/** The values where `keep` is 1, in index order, as a new array. */
function kept(values: Float64Array, keep: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let k = 0; k < values.length; k++) if (keep[k] === 1) n++;
  const out = new Float64Array(n);
  for (let k = 0, at = 0; at < n; k++) if (keep[k] === 1) out[at++] = values[k];
  return out;
}

/** STATS over the values (in index order) where `keep` is 1 (every value without it): mean, se, ci95, p05, p50, p95. */
export function groupStats(values: Float64Array, keep?: ArrayLike<number>): GroupStats {
  const picked = keep ? kept(values, keep) : values;
  if (picked.length === 0) return { mean: null, se: null, ci95: [null, null], p05: null, p50: null, p95: null };
  const { mean, se } = meanAndSe(picked);
  const s = se ?? 0;
  // The values kept are a copy already: sorted in place (after the mean, summed in index order).
  const sorted = keep ? sortedInPlace(picked) : sortedScratch(picked);
  return { mean, se: s, ci95: [mean - Z975 * s, mean + Z975 * s], p05: quantileSorted(sorted, 0.05), p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95) };
}

/**
 * The caller's own copy of some values, sorted in place into ascending order; a column of one value
 * (+0 and -0 told apart), as a third of the default run's metric columns are (zero harm in a world
 * that never loses access, say), is its own order.
 */
function sortedInPlace(values: Float64Array): Float64Array {
  const first = values[0];
  let constant = true;
  for (let k = 1; k < values.length && constant; k++) constant = Object.is(values[k], first);
  return constant ? values : values.sort();
}

/** summarize's and groupStats's sorted copy, reused from one call to the next (they keep none: they return numbers). */
let sortScratch = new Float64Array(0);

/** A sorted copy of values in sortScratch: a large run's summary sorts a hundred columns without making a hundred copies for the collector. */
function sortedScratch(values: Float64Array): Float64Array {
  if (sortScratch.length < values.length) sortScratch = new Float64Array(values.length);
  const copy = sortScratch.subarray(0, values.length);
  copy.set(values);
  return sortedInPlace(copy);
}

/**
 * Summarizes values (summed in index order, so the result never depends on batching). For a
 * binary metric (0 or 1 per path) the interval is Wilson's (wilson95), not mean ± z se.
 */
export function summarize(values: Float64Array, binary = false, batch = 0): Summary {
  const n = values.length;
  const plain = meanAndSe(values);
  const mean = plain.mean;
  const se = batch > 0 ? batchSe(values, mean, batch) : plain.se;
  const sorted = sortedScratch(values);
  const q = Object.fromEntries(QUANTILES.map(([k, p]) => [k, quantileSorted(sorted, p)])) as Record<(typeof QUANTILES)[number][0], number>;
  return {
    mean,
    se,
    ci95: binary ? wilson95(mean, n) : se === null ? null : [mean - Z975 * se, mean + Z975 * se],
    min: sorted[0],
    ...q,
    max: sorted[n - 1],
    p05_ci95: percentileInterval(sorted, 0.05),
    p50_ci95: percentileInterval(sorted, 0.5),
    p95_ci95: percentileInterval(sorted, 0.95),
  };
}
