import { describe, expect, it } from 'vitest';
import { betaCdf, betaQuantile, betaQuantiles, logGamma, normalCdf, normalQuantile } from '../../src/distributions/special.js';

describe('normalCdf', () => {
  it.each([
    [0, 0.5],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145707],
    [1.959963984540054, 0.975],
    [-3, 0.0013498980316301035],
  ])('Phi(%f) = %f to 1e-12 relative', (x, p) => {
    expect(Math.abs(normalCdf(x) - p) / p).toBeLessThan(1e-12);
  });
  it.each([
    [-5, 2.866515718791939e-7, 1e-10],
    [-8, 6.22096057427178e-16, 1e-8],
  ])('Phi(%f) = %f in the far tail to %f relative (absolute error < 1e-15)', (x, p, rel) => {
    expect(Math.abs(normalCdf(x) - p) / p).toBeLessThan(rel);
    expect(Math.abs(normalCdf(x) - p)).toBeLessThan(1e-15);
  });
});

describe('normalQuantile', () => {
  it('inverts normalCdf to 1e-13 across the unit interval, tails included', () => {
    for (const p of [1e-15, 1e-9, 1e-4, 0.01, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.999, 1 - 1e-9]) {
      const x = normalQuantile(p);
      const back = p > 0.5 ? 1 - normalCdf(-x) : normalCdf(x);
      expect(Math.abs(back - p) / Math.min(p, 1 - p)).toBeLessThan(1e-9);
    }
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 13);
  });
  it('is -inf and +inf at 0 and 1', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });
});

describe('beta functions', () => {
  it('logGamma matches factorials', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
  it('betaCdf matches closed forms: Beta(1,1) is uniform, Beta(2,1) is x^2', () => {
    expect(betaCdf(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(betaCdf(0.6, 2, 1)).toBeCloseTo(0.36, 14);
    expect(betaCdf(0.6, 1, 3)).toBeCloseTo(1 - 0.4 ** 3, 14);
  });
  it('betaQuantile inverts betaCdf to the resolution of doubles, including U-shaped and skewed shapes', () => {
    for (const [a, b] of [[2.5, 1.5], [0.5, 0.5], [1, 7], [30, 2]]) {
      for (const p of [1e-6, 0.05, 0.5, 0.95, 1 - 1e-6]) {
        // Beta(0.5, 0.5) near 1 has density ~1e6: one ulp of x moves the CDF by ~1e-10.
        expect(Math.abs(betaCdf(betaQuantile(p, a, b), a, b) - p)).toBeLessThan(a < 1 ? 1e-9 : 1e-14);
      }
    }
  });
  it('betaQuantiles (a table of starting points) inverts betaCdf as betaQuantile does, at table points, between them and at the ends', () => {
    for (const [a, b] of [[2.6, 3.4], [0.5, 0.5], [1, 7], [30, 2], [1, 1]]) {
      const quantile = betaQuantiles(a, b);
      const ps = [1e-6, 1 / 256, 0.5, 255 / 256, 1 - 1e-6, ...Array.from({ length: 997 }, (_, i) => (i + 0.5) / 997)];
      for (const p of ps) {
        const x = quantile(p);
        // betaCdf itself is good to a few 1e-15 (continued fraction, 1 - tail), hence 5e-14.
        expect(Math.abs(betaCdf(x, a, b) - p), `Beta(${a}, ${b}) at p = ${p}`).toBeLessThan(a < 1 ? 1e-9 : 5e-14);
        expect(Math.abs(x - betaQuantile(p, a, b)), `Beta(${a}, ${b}) at p = ${p}`).toBeLessThan(1e-12);
      }
      expect([quantile(0), quantile(1)]).toEqual([0, 1]);
    }
  });
});
