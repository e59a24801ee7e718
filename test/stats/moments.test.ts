import { describe, expect, it } from 'vitest';
import { addValues, combineMoments, emptyMoments, seOf } from '../../src/stats/moments.js';
import { meanAndSe } from '../../src/stats/summary.js';

describe('mergeable moments', () => {
  it('give the two-pass mean and standard error, whole or merged from batches', () => {
    const xs = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1000 + (i % 7));
    const exact = meanAndSe(xs);
    const whole = addValues(emptyMoments(), xs);
    const batched = [0, 1024, 2048, 3072, 4096].map((from) => addValues(emptyMoments(), xs, from, Math.min(from + 1024, xs.length))).reduce(combineMoments);
    for (const m of [whole, batched]) {
      expect(m.n).toBe(5000);
      expect(Math.abs(m.mean - exact.mean)).toBeLessThan(1e-12 * Math.abs(exact.mean));
      expect(Math.abs(seOf(m)! - exact.se!)).toBeLessThan(1e-12 * exact.se!);
    }
  });

  it('stay accurate where the sum of squares cancels: a large mean and a small spread', () => {
    const xs = Float64Array.from({ length: 1000 }, (_, i) => 1e9 + (i % 2));
    const m = addValues(emptyMoments(), xs);
    // sd of alternating 0/1 over 1,000 values: sqrt(250 / 999); Σx² - n·mean² loses it entirely.
    expect(seOf(m)).toBeCloseTo(Math.sqrt(250 / 999 / 1000), 12);
    let sum = 0;
    let sum2 = 0;
    for (const x of xs) [sum, sum2] = [sum + x, sum2 + x * x];
    const naive = Math.sqrt(Math.max(0, (sum2 - 1000 * (sum / 1000) ** 2) / 999 / 1000));
    expect(Math.abs(naive - seOf(m)!)).toBeGreaterThan(1e-3);
  });

  it('has no standard error below two values, and merges with an empty batch', () => {
    expect(seOf(addValues(emptyMoments(), [3]))).toBeNull();
    expect(combineMoments(emptyMoments(), addValues(emptyMoments(), [1, 2]))).toEqual({ n: 2, mean: 1.5, m2: 0.5 });
  });
});
