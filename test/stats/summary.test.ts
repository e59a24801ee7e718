import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { groupMean, groupStats, orderStatistics, percentileInterval, quantileSorted, summarize, Z975 } from '../../src/stats/summary.js';

describe('summarize', () => {
  it('uses type-7 quantiles (R and NumPy default)', () => {
    // numpy.quantile([1, 2, 3, 4, 10], [0.05, 0.25, 0.5, 0.75, 0.95]) = [1.2, 2, 3, 4, 8.8]
    const s = summarize(Float64Array.from([4, 1, 10, 3, 2]));
    expect([s.p05, s.p25, s.p50, s.p75, s.p95].map((x) => Number(x.toFixed(12)))).toEqual([1.2, 2, 3, 4, 8.8]);
    expect([s.min, s.max, s.mean]).toEqual([1, 10, 4]);
  });
  it('gives the standard error sample sd / sqrt(n) and a normal 95% interval', () => {
    const s = summarize(Float64Array.from([1, 2, 3, 4]));
    const se = Math.sqrt(5 / 3 / 4);
    expect(s.se).toBeCloseTo(se, 15);
    expect(s.ci95![0]).toBeCloseTo(2.5 - Z975 * se, 15);
    expect(s.ci95![1]).toBeCloseTo(2.5 + Z975 * se, 15);
  });
  it('handles one path: every quantile is the value, and there is no standard error', () => {
    const s = summarize(Float64Array.from([7]));
    expect(s).toMatchObject({ mean: 7, se: null, ci95: null, min: 7, p05: 7, p50: 7, p95: 7, max: 7 });
  });
  it('reads a copy it reuses: the values are left as given, and a shorter column after a longer one reads its own values only', () => {
    const long = Float64Array.from({ length: 50 }, (_, k) => 100 - k);
    const short = Float64Array.from([4, 1, 10, 3, 2]);
    const first = summarize(short);
    expect(summarize(long)).toMatchObject({ min: 51, max: 100, p50: 75.5 });
    expect(Array.from(long.subarray(0, 3))).toEqual([100, 99, 98]);
    expect(summarize(short)).toEqual(first);
    expect(Array.from(short)).toEqual([4, 1, 10, 3, 2]);
  });
  it('quantileSorted interpolates between order statistics', () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
    expect(quantileSorted([5], 0.9)).toBe(5);
  });
});

describe('binary metrics', () => {
  it('get Wilson intervals that are honest at 0 and 1 (not [0%, 0%])', async () => {
    const { summarize, wilson95 } = await import('../../src/stats/summary.js');
    const zeros = summarize(new Float64Array(100), true);
    expect(zeros.ci95![0]).toBe(0);
    // 0 events in 100: the upper bound is z^2/(n + z^2) = 3.7%.
    expect(zeros.ci95![1]).toBeCloseTo(3.8415 / 103.8415, 6);
    const ones = summarize(new Float64Array(100).fill(1), true);
    expect(ones.ci95![1]).toBe(1);
    expect(ones.ci95![0]).toBeCloseTo(100 / 103.8415, 6);
    // Agrees with the textbook case: 81 of 263 -> [0.2553, 0.3662] (Newcombe 1998, Statistics in Medicine, method 3).
    const [lo, hi] = wilson95(81 / 263, 263);
    expect(lo).toBeCloseTo(0.2553, 3);
    expect(hi).toBeCloseTo(0.3662, 3);
  });
});

describe('orderStatistics', () => {
  const rng = seedrandom('order statistics');
  /** Columns a run's metrics look like, and the shapes that defeat a naive pivot. */
  const columns: [string, Float64Array][] = [];
  for (const n of [1, 2, 3, 7, 24, 25, 100, 1000, 4097]) {
    columns.push([`uniform ${n}`, Float64Array.from({ length: n }, () => rng() - 0.5)]);
    columns.push([`few values ${n}`, Float64Array.from({ length: n }, () => Math.floor(rng() * 4) - 1.5)]);
    columns.push([`signed zeros ${n}`, Float64Array.from({ length: n }, () => [0, -0, 1, -1][Math.floor(rng() * 4)])]);
    columns.push([`ascending ${n}`, Float64Array.from({ length: n }, (_, k) => k)]);
    columns.push([`descending ${n}`, Float64Array.from({ length: n }, (_, k) => -k)]);
    columns.push([`organ pipe ${n}`, Float64Array.from({ length: n }, (_, k) => Math.min(k, n - k))]);
    columns.push([`heavy tail ${n}`, Float64Array.from({ length: n }, () => (rng() < 0.9 ? 0 : Math.exp(20 * rng())))]);
  }
  columns.push(['constant -0', new Float64Array(500).fill(-0)]);
  columns.push(['with NaN', Float64Array.from([3, NaN, -1, 0, -0, 2])]);

  it('gives the values a sort puts at each rank, -0 before +0, whatever the shape', () => {
    for (const [name, values] of columns) {
      const sorted = values.slice().sort();
      const n = values.length;
      const ranks = [0, n - 1, Math.floor(n / 2), Math.floor(0.05 * (n - 1)), Math.floor(0.95 * (n - 1)), Math.min(n - 1, Math.floor(0.95 * (n - 1)) + 1), Math.floor(rng() * n), 0];
      const got = orderStatistics(values.slice(), ranks);
      // Object.is tells -0 from +0 (toEqual would not).
      ranks.forEach((r, i) => expect(Object.is(got[i], sorted[r]), `${name}: rank ${r} gave ${got[i]}, a sort ${sorted[r]}`).toBe(true));
    }
  });

  it('refuses a rank outside the values', () => {
    expect(() => orderStatistics(Float64Array.from([1, 2]), [2])).toThrow(/rank 2 of 2/);
  });

  it('makes summarize and groupStats give what sorting gave, to the bit', () => {
    for (const [name, values] of columns) {
      if (name === 'with NaN') continue;
      const sorted = values.slice().sort();
      const s = summarize(values);
      const bySort = {
        min: sorted[0],
        max: sorted[sorted.length - 1],
        p05: quantileSorted(sorted, 0.05),
        p25: quantileSorted(sorted, 0.25),
        p50: quantileSorted(sorted, 0.5),
        p75: quantileSorted(sorted, 0.75),
        p95: quantileSorted(sorted, 0.95),
        p05_ci95: percentileInterval(sorted, 0.05),
        p50_ci95: percentileInterval(sorted, 0.5),
        p95_ci95: percentileInterval(sorted, 0.95),
      };
      for (const [k, v] of Object.entries(bySort)) expect(Object.is(JSON.stringify(s[k as keyof typeof s]), JSON.stringify(v)), `${name}: ${k}`).toBe(true);
      for (const k of ['min', 'max', 'p05', 'p50', 'p95'] as const) expect(Object.is(s[k], bySort[k]), `${name}: ${k} (sign of zero)`).toBe(true);
      const keep = Float64Array.from(values, (_, k) => (k % 3 === 0 ? 1 : 0));
      const picked = values.filter((_, k) => k % 3 === 0);
      const g = groupStats(values, keep);
      const pickedSorted = picked.slice().sort();
      expect([g.p05, g.p50, g.p95].every((x, i) => Object.is(x, quantileSorted(pickedSorted, [0.05, 0.5, 0.95][i])))).toBe(true);
      expect(groupMean(values, keep)).toEqual({ mean: g.mean, se: g.se, ci95: g.ci95 });
    }
  });
});
