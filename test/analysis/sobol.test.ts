/**
 * The Sobol estimators on a textbook case: the Ishigami function
 * f(x) = sin x1 + 7 sin^2 x2 + 0.1 x3^4 sin x1, x_i uniform on [-pi, pi], whose indices are known
 * in closed form: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { sobolIndices } from '../../src/analysis/sobol.js';

const ishigami = (x: number[]) => Math.sin(x[0]) + 7 * Math.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * Math.sin(x[0]);
const EXACT_S1 = [0.3139, 0.4424, 0];
const EXACT_ST = [0.5576, 0.4424, 0.2437];

describe('Sobol indices (Saltelli 2010 first order, Jansen total order)', () => {
  it('reproduce the Ishigami function within their 95% intervals, with S1 <= ST', () => {
    const N = 8192;
    const rng = seedrandom.tychei('ishigami');
    const draw = () => [0, 1, 2].map(() => -Math.PI + 2 * Math.PI * rng.double());
    const A = Array.from({ length: N }, draw);
    const B = Array.from({ length: N }, draw);
    const fA = Float64Array.from(A, ishigami);
    const fB = Float64Array.from(B, ishigami);
    const fAB = [0, 1, 2].map((i) => Float64Array.from(A, (a, k) => ishigami(a.map((x, j) => (j === i ? B[k][j] : x)))));
    const idx = sobolIndices(fA, fB, fAB, 200);
    idx.forEach((x, i) => {
      // The exact value lies within the interval (widened by 1.5x: a 95% interval misses 1 time in 20).
      const inside = (v: number, [lo, hi]: [number, number]) => v >= lo - 0.5 * (hi - lo) && v <= hi + 0.5 * (hi - lo);
      expect(inside(EXACT_S1[i], x.S1_ci95), `S1[${i}] = ${x.S1}, CI ${x.S1_ci95}, exact ${EXACT_S1[i]}`).toBe(true);
      expect(inside(EXACT_ST[i], x.ST_ci95), `ST[${i}] = ${x.ST}, CI ${x.ST_ci95}, exact ${EXACT_ST[i]}`).toBe(true);
      expect(x.S1).toBeLessThanOrEqual(x.ST_ci95[1]);
      expect(x.S1_ci95[1] - x.S1_ci95[0]).toBeLessThan(0.15);
    });
  });
  it('give a factor that changes nothing zero indices', () => {
    const fA = Float64Array.from({ length: 100 }, (_, k) => Math.sin(k));
    const fB = Float64Array.from({ length: 100 }, (_, k) => Math.cos(k));
    const [idle] = sobolIndices(fA, fB, [Float64Array.from(fA)], 50);
    expect(idle.S1).toBeCloseTo(0, 12);
    expect(idle.ST).toBe(0);
  });
});
