/** Chart data derived from a run: thinned series, harm histograms, CDFs and convergence paths. */
import type { RunResult } from '../engine/run.js';
import type { Metric } from '../model/metrics.js';
import { quantileSorted } from '../stats/summary.js';
import type { SeriesRow } from '../analysis/run.js';

/** At most this many points per line, so inline data stays small. */
const MAX_POINTS = 250;

export type SeriesPoint = Omit<SeriesRow, 'variable'>;

/** Series rows of one variable, thinned to at most MAX_POINTS days (always keeping the last). */
export function seriesOf(rows: SeriesRow[], variable: SeriesRow['variable']): SeriesPoint[] {
  const of = rows.filter((r) => r.variable === variable);
  const days = [...new Set(of.map((r) => r.day))];
  const step = Math.ceil(days.length / MAX_POINTS);
  const keep = new Set(days.filter((_, i) => i % step === 0 || i === days.length - 1));
  return of.filter((r) => keep.has(r.day)).map(({ variable: _, ...point }) => point);
}

export const metricValues = (result: RunResult, policy: number, metric: Metric) => result.metrics[policy][result.plan.metrics.indexOf(metric)];

/**
 * Histograms of a metric per policy on common bins from the smallest 1st to the largest 95th
 * percentile of the policies (heavy right tails would otherwise squash the bulk into one bin).
 * Paths beyond either end are not piled into the end bins: each policy's share below and above
 * is returned separately, for a label.
 */
export function histograms(result: RunResult, metric: Metric, bins = 40) {
  const sorted = result.plan.policies.map((_, i) => Float64Array.from(metricValues(result, i, metric)).sort());
  const lo = Math.min(...sorted.map((v) => quantileSorted(v, 0.01)));
  let hi = Math.max(...sorted.map((v) => quantileSorted(v, 0.95)));
  if (!(hi > lo)) hi = lo + 1;
  const width = (hi - lo) / bins;
  const rows: { policy: string; x0: number; x1: number; share: number }[] = [];
  const beyond: { policy: string; below: number; above: number }[] = [];
  result.plan.policies.forEach((p, i) => {
    const counts = new Array(bins).fill(0);
    let below = 0;
    let above = 0;
    for (const x of sorted[i]) {
      if (x < lo) below++;
      else if (x > hi) above++;
      else counts[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
    }
    const n = sorted[i].length;
    counts.forEach((c, b) => rows.push({ policy: p.name, x0: lo + b * width, x1: lo + (b + 1) * width, share: c / n }));
    beyond.push({ policy: p.name, below: below / n, above: above / n });
  });
  return { rows, beyond, lo, hi };
}

/** Empirical CDF of a metric per policy at 201 probabilities (type-7 quantiles). */
export function cdfs(result: RunResult, metric: Metric) {
  const rows: { policy: string; value: number; p: number }[] = [];
  result.plan.policies.forEach((pol, i) => {
    const v = Float64Array.from(metricValues(result, i, metric)).sort();
    for (let k = 0; k <= 200; k++) rows.push({ policy: pol.name, value: quantileSorted(v, k / 200), p: k / 200 });
  });
  return rows;
}

/** Running mean and standard error of a metric in path order, at ~60 log-spaced path counts. */
export function convergence(result: RunResult, metric: Metric) {
  const n = result.settings.paths;
  // From the 30th path on (the mean of fewer means little), or from the first in a smaller run.
  const first = n >= 60 ? 30 : 1;
  const marks = new Set<number>();
  for (let k = 0; k <= 60; k++) marks.add(Math.round(first * (n / first) ** (k / 60)));
  const rows: { policy: string; paths: number; mean: number; lo: number; hi: number }[] = [];
  result.plan.policies.forEach((pol, i) => {
    const v = metricValues(result, i, metric);
    let mean = 0;
    let m2 = 0;
    for (let j = 0; j < n; j++) {
      const d = v[j] - mean;
      mean += d / (j + 1);
      m2 += d * (v[j] - mean);
      if (marks.has(j + 1)) {
        const se = j > 0 ? Math.sqrt(m2 / j / (j + 1)) : 0;
        rows.push({ policy: pol.name, paths: j + 1, mean, lo: mean - 2 * se, hi: mean + 2 * se });
      }
    }
  });
  return rows;
}
