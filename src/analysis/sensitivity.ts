/**
 * Sensitivity analysis: which inputs drive a metric. Pure functions from per-path values to
 * tables: the tornado (one input at a time at a low and a high percentile, paired against the base
 * on the same paths) and Spearman rank correlations between each input's draws and the metric.
 */
import { quantileSorted, Z975 } from '../stats/summary.js';
import { pairedStat, pathDifference, type Paired } from './sweep.js';

/** Ranks 1 ... n, ties given their average rank. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation; 0 when either side does not vary. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * Spearman's rank correlation with a 95% interval from Fisher's z, using Bonett and Wright's
 * (2000) standard error for Spearman: sqrt((1 + r^2/2) / (n - 3)).
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): { rho: number; ci95: [number, number] | null } {
  const rho = pearson(ranks(x), ranks(y));
  const n = x.length;
  if (n < 4 || Math.abs(rho) === 1) return { rho, ci95: n < 4 ? null : [rho, rho] };
  const z = Math.atanh(rho);
  const se = Math.sqrt((1 + (rho * rho) / 2) / (n - 3));
  return { rho, ci95: [Math.tanh(z - Z975 * se), Math.tanh(z + Z975 * se)] };
}

/** The low and high values of an input for the tornado: its draws' quantiles at the two probabilities. */
export function tornadoValues(draws: Float64Array, low: number, high: number, integer: boolean): [number, number] {
  const sorted = Float64Array.from(draws).sort();
  const round = (x: number) => (integer ? Math.max(0, Math.floor(x + 0.5)) : x);
  return [round(quantileSorted(sorted, low)), round(quantileSorted(sorted, high))];
}

export interface TornadoRow {
  input: string;
  low_value: number;
  high_value: number;
  /** The metric's mean with the input at its low and high value, and their paired differences from the base run. */
  mean_low: number;
  mean_high: number;
  low_vs_base: Paired;
  high_vs_base: Paired;
  swing: number;
}

/** A tornado row from per-path values of the metric at the base, low and high runs. */
export function tornadoRow(input: string, values: [number, number], base: Float64Array, low: Float64Array, high: Float64Array): TornadoRow {
  const lo = pairedStat(pathDifference(base, low));
  const hi = pairedStat(pathDifference(base, high));
  const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
  const [mLow, mHigh] = [mean(low), mean(high)];
  return { input, low_value: values[0], high_value: values[1], mean_low: mLow, mean_high: mHigh, low_vs_base: lo, high_vs_base: hi, swing: Math.abs(mHigh - mLow) };
}
