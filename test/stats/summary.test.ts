import { describe, expect, it } from 'vitest';
import { quantileSorted, summarize, Z975 } from '../../src/stats/summary.js';

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
  it('sorts a copy it reuses: the values are left as given, and a shorter column after a longer one reads its own values only', () => {
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
