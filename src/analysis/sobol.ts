/**
 * Variance-based sensitivity indices from Saltelli's sampling scheme: for N points, the model at
 * matrices A and B (two independent samples of every factor) and at AB_i (A with factor i's
 * column from B). First order by Saltelli et al. (2010), total order by Jansen (1999), both as
 * SALib computes them; 95% intervals from a seeded bootstrap over the N points (z times the
 * bootstrap standard deviation, as SALib reports them).
 *
 *   Var = variance of f over A and B together
 *   S1_i = mean(f(B) (f(AB_i) - f(A))) / Var
 *   ST_i = mean((f(A) - f(AB_i))^2) / 2 / Var
 */
import seedrandom from 'seedrandom';
import { Z975 } from '../stats/summary.js';

export interface SobolIndex {
  S1: number;
  S1_ci95: [number, number];
  ST: number;
  ST_ci95: [number, number];
}

function estimate(fA: Float64Array, fB: Float64Array, fAB: Float64Array, idx: Int32Array | null): [number, number, number] {
  const n = fA.length;
  let sum = 0;
  let sum2 = 0;
  let first = 0;
  let total = 0;
  for (let j = 0; j < n; j++) {
    const k = idx ? idx[j] : j;
    const [a, b, ab] = [fA[k], fB[k], fAB[k]];
    sum += a + b;
    sum2 += a * a + b * b;
    first += b * (ab - a);
    total += (a - ab) * (a - ab);
  }
  const mean = sum / (2 * n);
  const variance = sum2 / (2 * n) - mean * mean;
  return [variance, first / n, total / (2 * n)];
}

/**
 * Indices of every factor, with bootstrap intervals (`resamples` draws of the N points, from the
 * seeded stream `stream`). A factor whose output does not vary gets 0 (and [0, 0]).
 */
export function sobolIndices(fA: Float64Array, fB: Float64Array, fAB: Float64Array[], resamples = 200, stream = 'accessgap:sobol-bootstrap'): SobolIndex[] {
  const n = fA.length;
  const rng = seedrandom.tychei(stream);
  const boots = Array.from({ length: resamples }, () => Int32Array.from({ length: n }, () => Math.floor(rng.double() * n)));
  return fAB.map((ab) => {
    const [v, first, total] = estimate(fA, fB, ab, null);
    if (!(v > 0)) return { S1: 0, S1_ci95: [0, 0], ST: 0, ST_ci95: [0, 0] };
    const s1: number[] = [];
    const st: number[] = [];
    for (const idx of boots) {
      const [bv, bf, bt] = estimate(fA, fB, ab, idx);
      if (bv > 0) {
        s1.push(bf / bv);
        st.push(bt / bv);
      }
    }
    const sd = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
    };
    const [S1, ST] = [first / v, total / v];
    const [h1, hT] = [Z975 * sd(s1), Z975 * sd(st)];
    return { S1, S1_ci95: [S1 - h1, S1 + h1], ST, ST_ci95: [ST - hT, ST + hT] };
  });
}
