import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { dailyGrowth, fastExp, fastLog, fastLogWide, powPos } from '../../src/model/fastmath.js';

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

describe('fastLogWide and dailyGrowth', () => {
  it('fastLogWide is within 4.5e-16 of Math.log on (1, 8] and fastLog elsewhere', () => {
    let worst = 0;
    const xs = [1 + 2 ** -52, 2, 2 + 2 ** -51, 4, 8, ...Array.from({ length: 100_000 }, () => 1 + 7 * rng.double())];
    for (const x of xs) worst = Math.max(worst, Math.abs(fastLogWide(x) - Math.log(x)));
    expect(worst).toBeLessThanOrEqual(4.5e-16);
    for (const x of [0.01, 0.125, 0.7, 1, 8 + 2 ** -49, 100]) expect(Object.is(fastLogWide(x), fastLog(x)), String(x)).toBe(true);
  });
  it('dailyGrowth(u) is within 1 ulp of (1 + u)^(1/365) for g from -0.99 to 3 (100,000 points)', () => {
    let worst = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = i % 2 ? -0.99 + 3.99 * rng.double() : 0.5 * rng.double();
      const want = (1 + u) ** (1 / 365);
      worst = Math.max(worst, Math.abs(dailyGrowth(u) - want) / want / ULP);
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(dailyGrowth(0)).toBe(1);
  });
});
