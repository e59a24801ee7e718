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

/** The levels a group's statistics report (p05, p50, p95), and those summarize gives intervals for. */
const LEVELS = [0.05, 0.5, 0.95];

/** The statistics of a metric over a group of paths (docs/model.md section 7's STATS); null values for no paths. */
export interface GroupStats {
  mean: number | null;
  se: number | null;
  ci95: [number | null, number | null];
  p05: number | null;
  p50: number | null;
  p95: number | null;
}

/** The two order statistics (0-based ranks) the type-7 quantile p of n values reads. */
const quantileRanks = (n: number, p: number): [number, number] => {
  const lo = Math.floor((n - 1) * p);
  return [lo, Math.min(lo + 1, n - 1)];
};

/** Type-7 quantile of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const [lo, hi] = quantileRanks(n, p);
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
  const [l, u] = intervalRanks(sorted.length, q);
  return [sorted[l], sorted[u]];
}

/** The order statistics (0-based ranks) percentileInterval reads for the q-quantile of n values. */
function intervalRanks(n: number, q: number): [number, number] {
  const half = Z975 * Math.sqrt(n * q * (1 - q));
  const l = Math.max(1, Math.floor(n * q - half));
  const u = Math.min(n, Math.ceil(n * q + half) + 1);
  return [l - 1, u - 1];
}

/** Segments this short are sorted rather than partitioned further (orderStatistics). */
const SELECT_SORTED = 24;

/**
 * The values of `values` at each rank of `ranks` (0-based) in ascending order, exactly as a sort
 * of them (Float64Array.prototype.sort: -0 before +0) would place them, without sorting them all:
 * the segments holding a wanted rank are partitioned around a pivot (three ways, so a column of
 * one value takes one pass) until each wanted rank is found, O(n) per distinct level instead of a
 * sort's O(n log n). `values` is reordered. Any order of ranks, repeats allowed.
 */
export function orderStatistics(values: Float64Array, ranks: readonly number[]): number[] {
  const n = values.length;
  const wanted = [...new Set(ranks)].sort((a, b) => a - b);
  for (const r of wanted) if (!(Number.isInteger(r) && r >= 0 && r < n)) throw new RangeError(`rank ${r} of ${n} values`);
  const found = new Map<number, number>();
  let nan = false;
  for (let k = 0; k < n && !nan; k++) nan = values[k] !== values[k];
  if (nan) {
    // NaN compares with nothing: the sort's order (NaN last) is read off a sort.
    values.sort();
    for (const r of wanted) found.set(r, values[r]);
  } else selectRanks(values, 0, n, wanted, 0, wanted.length, found, 2 * Math.ceil(Math.log2(n + 1)) + 8);
  // Partitions tell -0 from +0 by neither: a zero found takes the sign the sort would give its rank.
  if (wanted.some((r) => found.get(r) === 0)) {
    let below = 0;
    let negZeros = 0;
    for (let k = 0; k < n; k++) {
      const x = values[k];
      if (x < 0) below++;
      else if (x === 0 && 1 / x < 0) negZeros++;
    }
    for (const r of wanted) if (found.get(r) === 0) found.set(r, r >= below && r < below + negZeros ? -0 : 0);
  }
  return ranks.map((r) => found.get(r)!);
}

/**
 * Finds ranks wanted[rFrom ... rTo) (ascending, all in [from, to)) of values[from ... to). A
 * segment still unresolved after `passes` more partitions (pivots that split badly) is sorted.
 */
function selectRanks(a: Float64Array, from: number, to: number, wanted: readonly number[], rFrom: number, rTo: number, found: Map<number, number>, passes: number): void {
  while (rFrom < rTo) {
    if (to - from <= SELECT_SORTED || passes-- === 0) {
      a.subarray(from, to).sort();
      for (let r = rFrom; r < rTo; r++) found.set(wanted[r], a[wanted[r]]);
      return;
    }
    // Median of three as pivot, then [from, lt) < pivot, [lt, gt) == pivot, [gt, to) > pivot.
    const [x, y, z] = [a[from], a[(from + to) >>> 1], a[to - 1]];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = from;
    let gt = to;
    for (let i = from; i < gt; ) {
      const v = a[i];
      if (v < pivot) {
        a[i++] = a[lt];
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[--gt];
        a[gt] = v;
      } else i++;
    }
    // Ranks below lt go to the left part, those in [lt, gt) are the pivot, the rest go right.
    let r = rFrom;
    while (r < rTo && wanted[r] < lt) r++;
    let s = r;
    for (; s < rTo && wanted[s] < gt; s++) found.set(wanted[s], pivot);
    // The smaller side by recursion, the larger by the loop: the stack stays O(log n).
    if (lt - from < to - gt) {
      selectRanks(a, from, lt, wanted, rFrom, r, found, passes);
      [from, rFrom] = [gt, s];
    } else {
      selectRanks(a, gt, to, wanted, s, rTo, found, passes);
      [to, rTo] = [lt, r];
    }
  }
}

/** The values where `keep` is 1, in index order, in the scratch array. */
function kept(values: Float64Array, keep: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let k = 0; k < values.length; k++) if (keep[k] === 1) n++;
  const out = scratchOf(n);
  for (let k = 0, at = 0; at < n; k++) if (keep[k] === 1) out[at++] = values[k];
  return out;
}

/** STATS over the values (in index order) where `keep` is 1 (every value without it): mean, se, ci95, p05, p50, p95. */
export function groupStats(values: Float64Array, keep?: ArrayLike<number>): GroupStats {
  const picked = keep ? kept(values, keep) : values;
  const stats = meanStats(picked);
  if (picked.length === 0) return { ...stats, p05: null, p50: null, p95: null };
  // The values kept are a scratch copy already: reordered in place (after the mean, summed in index order).
  const sorted = orderedView(keep ? picked : scratchCopy(picked), LEVELS.flatMap((p) => quantileRanks(picked.length, p)));
  return { ...stats, p05: quantileSorted(sorted, 0.05), p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95) };
}

/** groupStats' mean, se and ci95 alone (no order statistics read). */
export function groupMean(values: Float64Array, keep?: ArrayLike<number>): Pick<GroupStats, 'mean' | 'se' | 'ci95'> {
  return meanStats(keep ? kept(values, keep) : values);
}

/** The mean of values, its se and normal 95% interval (nulls for none; se 0 for one value). */
function meanStats(values: Float64Array): Pick<GroupStats, 'mean' | 'se' | 'ci95'> {
  if (values.length === 0) return { mean: null, se: null, ci95: [null, null] };
  const { mean, se } = meanAndSe(values);
  const s = se ?? 0;
  return { mean, se: s, ci95: [mean - Z975 * s, mean + Z975 * s] };
}

/**
 * summarize's and groupStats's copy of the values they read order statistics from, reused from one
 * call to the next (they keep none: they return numbers): a large run's summary reads a hundred
 * columns without making a hundred copies of different sizes for the collector and the allocator.
 */
let scratch = new Float64Array(0);

/** Room for n values in the scratch array. */
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  return scratch.subarray(0, n);
}

/** A copy of values in the scratch array. */
function scratchCopy(values: Float64Array): Float64Array {
  const copy = scratchOf(values.length);
  copy.set(values);
  return copy;
}

/**
 * The order statistics `ranks` of `values` (reordered: orderStatistics), as sorted values a reader
 * (quantileSorted, percentileInterval) may look up at those ranks only: every other index is undefined.
 */
function orderedView(values: Float64Array, ranks: number[]): ArrayLike<number> {
  const view: { length: number; [k: number]: number } = { length: values.length };
  orderStatistics(values, ranks).forEach((x, i) => (view[ranks[i]] = x));
  return view;
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
  // The order statistics read below: min, max, each quantile's two, each interval's two.
  const ranks = [0, n - 1, ...QUANTILES.flatMap(([, p]) => quantileRanks(n, p)), ...LEVELS.flatMap((q) => intervalRanks(n, q))];
  const sorted = n === 0 ? values : orderedView(scratchCopy(values), ranks);
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
