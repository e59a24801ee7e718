import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { fastExp, fastLog, powPos } from '../../src/model/fastmath.js';

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

describe('fastLog', () => {
  it('is within 4.5e-16 of Math.log on its table range [1/8, 1] (100,000 points and the edges)', () => {
    let worst = 0;
    const xs = [0.125, 0.125 + 2 ** -55, 0.5, 1 - 2 ** -53, 1, ...Array.from({ length: 100_000 }, () => 0.125 + 0.875 * rng.double())];
    for (const x of xs) worst = Math.max(worst, Math.abs(fastLog(x) - Math.log(x)));
    expect(worst).toBeLessThanOrEqual(4.5e-16);
    expect(fastLog(1)).toBe(0);
  });
  it('is Math.log outside it', () => {
    for (const x of [0, 1e-300, 0.1249, 1 + 2 ** -52, 2, 1e300, Infinity, -1, NaN]) expect(Object.is(fastLog(x), Math.log(x)), String(x)).toBe(true);
  });
});

describe('powPos', () => {
  it('is x^y to 1e-14 relative for qualities and elasticities, with the edge cases of x = 0', () => {
    let worst = 0;
    for (let i = 0; i < 10_000; i++) {
      const [x, y] = [0.05 + 0.95 * rng.double(), 5 * rng.double()];
      worst = Math.max(worst, Math.abs(powPos(x, y) / x ** y - 1));
    }
    expect(worst).toBeLessThan(1e-14);
    expect(powPos(1, 3.7)).toBe(1);
    expect(powPos(0, 2)).toBe(0);
    expect(powPos(0, 0)).toBe(1);
  });
});
