/**
 * Mergeable moments: count, mean and the sum of squared deviations M2 of a stream of values,
 * updated one value at a time (Welford 1962) and combined across batches (Chan, Golub and LeVeque
 * 1979): for batches a and b with d = mean_b - mean_a,
 *   n = n_a + n_b, mean = mean_a + d n_b / n, M2 = M2_a + M2_b + d^2 n_a n_b / n.
 * Stable where Σx² - n·mean² cancels catastrophically (a large mean and a small spread), and a
 * block's moments combine with the next block's in block order, so a statistic over the first B
 * blocks never depends on how many paths or threads a run has.
 */
export interface Moments {
  n: number;
  mean: number;
  /** Σ (x - mean)². */
  m2: number;
}

export const emptyMoments = (): Moments => ({ n: 0, mean: 0, m2: 0 });

/** Adds values[from ... to) to m (Welford's update), in index order. */
export function addValues(m: Moments, values: ArrayLike<number>, from = 0, to = values.length): Moments {
  let { n, mean, m2 } = m;
  for (let k = from; k < to; k++) {
    n++;
    const d = values[k] - mean;
    mean += d / n;
    m2 += d * (values[k] - mean);
  }
  return { n, mean, m2 };
}

/** The moments of a and b together (Chan et al.). */
export function combineMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const d = b.mean - a.mean;
  return { n, mean: a.mean + (d * b.n) / n, m2: a.m2 + b.m2 + (d * d * a.n * b.n) / n };
}

/** The standard error of the mean, sample sd / sqrt(n); null below two values. */
export const seOf = (m: Moments): number | null => (m.n > 1 ? Math.sqrt(m.m2 / (m.n - 1) / m.n) : null);
