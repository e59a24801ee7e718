import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { fastExp } from '../../src/model/fastmath.js';

const ULP = 2 ** -52;
const rng = seedrandom.tychei('fastmath');

describe('fastExp', () => {
  it('is within 2 ulp of Math.exp across the double range (100,000 points)', () => {
    let worst = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = i % 2 ? (rng.double() - 0.5) * 1400 : (rng.double() - 0.5) * 2;
      const want = Math.exp(x);
      if (want < 2.3e-308) continue; // subnormal results
      worst = Math.max(worst, Math.abs(fastExp(x) - want) / want / ULP);
    }
    expect(worst).toBeLessThanOrEqual(2);
  });
  it('handles the edges: 0, tiny, overflow, underflow, NaN', () => {
    expect(fastExp(0)).toBe(1);
    expect(fastExp(1e-20)).toBe(1);
    expect(fastExp(-1e-20)).toBe(1);
    expect(fastExp(710)).toBe(Infinity);
    expect(fastExp(-800)).toBe(0);
    expect(fastExp(NaN)).toBeNaN();
    expect(fastExp(1)).toBeCloseTo(Math.E, 15);
  });
});
