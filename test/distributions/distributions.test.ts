import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { checkDistribution, compileDistribution, supportOf, type DistSpec } from '../../src/distributions/distributions.js';
import { normalCdf } from '../../src/distributions/special.js';
import type { Problem } from '../../src/scenario/problems.js';

const N = 20_000;
/** Statistical checks use a fixed seed and a tolerance of 4 standard errors: they cannot flake. */
const TOL_SE = 4;

function draws(raw: Record<string, unknown>, seed = 'dist-test'): { values: Float64Array; spec: DistSpec } {
  const problems: Problem[] = [];
  const spec = checkDistribution(raw, problems, []);
  expect(problems).toEqual([]);
  const sample = compileDistribution(spec!);
  const rng = seedrandom.tychei(seed);
  const values = new Float64Array(N);
  for (let i = 0; i < N; i++) values[i] = sample(rng.double(), rng.double());
  return { values, spec: spec! };
}

const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;

/** Sample mean within TOL_SE standard errors of the theoretical mean (sd is the theoretical sd). */
function expectMean(v: Float64Array, mu: number, sd: number) {
  const se = sd / Math.sqrt(v.length);
  const err = Math.abs(mean(v) - mu);
  expect(err, `mean ${mean(v)} vs ${mu}: ${(err / se).toFixed(2)} SE (tolerance ${TOL_SE})`).toBeLessThanOrEqual(TOL_SE * se);
}

/** Empirical CDF at theoretical quantiles within TOL_SE binomial standard errors of p. */
function expectQuantiles(v: Float64Array, quantile: (p: number) => number) {
  for (const p of [0.05, 0.25, 0.5, 0.75, 0.95]) {
    const q = quantile(p);
    const f = v.reduce((n, x) => n + (x <= q ? 1 : 0), 0) / v.length;
    const se = Math.sqrt((p * (1 - p)) / v.length);
    expect(Math.abs(f - p), `F(${q}) = ${f} vs ${p}`).toBeLessThanOrEqual(TOL_SE * se);
  }
}

describe('distributions match theory (N = 20,000, tolerance 4 SE, fixed seed)', () => {
  it('uniform', () => {
    const { values } = draws({ dist: 'uniform', min: 2, max: 10 });
    expectMean(values, 6, 8 / Math.sqrt(12));
    expectQuantiles(values, (p) => 2 + 8 * p);
  });
  it('triangular', () => {
    const [a, c, b] = [1, 2, 7];
    const { values } = draws({ dist: 'triangular', min: a, mode: c, max: b });
    expectMean(values, (a + b + c) / 3, Math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18));
    const fc = (c - a) / (b - a);
    expectQuantiles(values, (p) => (p < fc ? a + Math.sqrt(p * (b - a) * (c - a)) : b - Math.sqrt((1 - p) * (b - a) * (b - c))));
  });
  it('pert (mean (min + 4 mode + max) / 6)', () => {
    const [lo, mo, hi] = [0.3, 0.5, 0.8];
    const { values } = draws({ dist: 'pert', min: lo, mode: mo, max: hi });
    const al = 1 + (4 * (mo - lo)) / (hi - lo);
    const be = 1 + (4 * (hi - mo)) / (hi - lo);
    const sd = (hi - lo) * Math.sqrt((al * be) / ((al + be) ** 2 * (al + be + 1)));
    expectMean(values, (lo + 4 * mo + hi) / 6, sd);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(lo);
    expect(Math.max(...values)).toBeLessThanOrEqual(hi);
  });
  it('normal and its quantiles', () => {
    const { values } = draws({ dist: 'normal', mean: 3, sd: 2 });
    expectMean(values, 3, 2);
    expectQuantiles(values, (p) => 3 + 2 * [-1.6448536269514722, -0.6744897501960817, 0, 0.6744897501960817, 1.6448536269514722][[0.05, 0.25, 0.5, 0.75, 0.95].indexOf(p)]);
  });
  it('truncated normal stays inside [min, max] and has the truncated mean', () => {
    const [m, s, lo, hi] = [0.35, 0.15, -0.5, 0.4];
    const { values } = draws({ dist: 'normal', mean: m, sd: s, min: lo, max: hi });
    const [a, b] = [(lo - m) / s, (hi - m) / s];
    const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const Z = normalCdf(b) - normalCdf(a);
    const mu = m + (s * (phi(a) - phi(b))) / Z;
    const variance = s * s * (1 + (a * phi(a) - b * phi(b)) / Z - ((phi(a) - phi(b)) / Z) ** 2);
    expectMean(values, mu, Math.sqrt(variance));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(lo);
    expect(Math.max(...values)).toBeLessThanOrEqual(hi);
  });
  it('lognormal from median and p90', () => {
    const { values, spec } = draws({ dist: 'lognormal', median: 365, p90: 900 });
    const { mu, sigma } = spec as Extract<DistSpec, { dist: 'lognormal' }>;
    expect(sigma).toBeCloseTo(Math.log(900 / 365) / 1.2815515655, 12);
    expectMean(values, Math.exp(mu + sigma ** 2 / 2), Math.sqrt((Math.exp(sigma ** 2) - 1) * Math.exp(2 * mu + sigma ** 2)));
    expectQuantiles(values, (p) => Math.exp(mu + sigma * [-1.6448536269514722, -0.6744897501960817, 0, 0.6744897501960817, 1.6448536269514722][[0.05, 0.25, 0.5, 0.75, 0.95].indexOf(p)]));
  });
  it('lognormal from p05 and p95 puts them at the 5th and 95th percentiles', () => {
    const { values } = draws({ dist: 'lognormal', p05: 10, p95: 40 });
    const f = (q: number) => values.reduce((n, x) => n + (x <= q ? 1 : 0), 0) / N;
    const se = Math.sqrt((0.05 * 0.95) / N);
    expect(Math.abs(f(10) - 0.05)).toBeLessThanOrEqual(TOL_SE * se);
    expect(Math.abs(f(40) - 0.95)).toBeLessThanOrEqual(TOL_SE * se);
  });
  it('scaled beta', () => {
    const { values } = draws({ dist: 'beta', alpha: 2, beta: 5, min: 10, max: 20 });
    const m = 2 / 7;
    expectMean(values, 10 + 10 * m, 10 * Math.sqrt((2 * 5) / (49 * 8)));
  });
  it('bernoulli, discrete and empirical', () => {
    expectMean(draws({ dist: 'bernoulli', p: 0.3 }).values, 0.3, Math.sqrt(0.21));
    const d = draws({ dist: 'discrete', values: [1, 2, 10], weights: [1, 1, 2] }).values;
    expectMean(d, (1 + 2 + 20) / 4, Math.sqrt((1 + 4 + 200) / 4 - (23 / 4) ** 2));
    const e = draws({ dist: 'empirical', values: [3, 5, 7, 9] }).values;
    expectMean(e, 6, Math.sqrt(5));
    expect(new Set(e)).toEqual(new Set([3, 5, 7, 9]));
  });
  it('mixture picks components by weight', () => {
    const { values } = draws({ dist: 'mixture', components: [{ weight: 0.3, dist: 'uniform', min: 30, max: 90 }, { weight: 0.7, dist: 'constant', value: 365 }] });
    const share = values.reduce((n, x) => n + (x === 365 ? 1 : 0), 0) / N;
    expect(Math.abs(share - 0.7)).toBeLessThanOrEqual(TOL_SE * Math.sqrt(0.21 / N));
    const low = values.filter((x) => x !== 365);
    expectMean(low, 60, 60 / Math.sqrt(12));
  });
  it('draws depend on the uniforms given: two seeds give different samples', () => {
    const a = draws({ dist: 'pert', min: 0, mode: 1, max: 3 }, 'seed-a').values;
    const b = draws({ dist: 'pert', min: 0, mode: 1, max: 3 }, 'seed-b').values;
    expect(a[0]).not.toBe(b[0]);
    expect(draws({ dist: 'pert', min: 0, mode: 1, max: 3 }, 'seed-a').values).toEqual(a);
  });
});

describe('checkDistribution', () => {
  const problemsOf = (raw: Record<string, unknown>) => {
    const problems: Problem[] = [];
    checkDistribution(raw, problems, ['x']);
    return problems.map((p) => `${p.path.join('.')}: ${p.expected} / ${p.found}`);
  };
  it.each([
    [{ dist: 'uniform', min: 3, max: 1 }, 'x.max: a number above min (3) / 1'],
    [{ dist: 'pert', min: 0, mode: 5, max: 2 }, 'x.mode: a number in [min, max] = [0, 2] / 5'],
    [{ dist: 'normal', mean: 0, sd: -1 }, 'x.sd: a number >= 0 / -1'],
    [{ dist: 'lognormal', median: 7, p90: 7 }, 'x.p90: a number above median (7) / 7'],
    [{ dist: 'discrete', values: [1, 2], weights: [1, 0] }, 'x.weights.1: a positive weight / 0'],
    [{ dist: 'mixture', components: [{ weight: -1, dist: 'constant', value: 1 }] }, 'x.components.0.weight: a positive weight / -1'],
    [{ dist: 'gamma', shape: 2 }, 'x.dist: one of constant, uniform, triangular, pert, normal, lognormal, beta, bernoulli, discrete, empirical, mixture / "gamma"'],
  ])('rejects impossible parameters %j', (raw, message) => {
    expect(problemsOf(raw)).toContain(message);
  });
  it('rejects unknown parameters and lognormal with mixed parameter pairs', () => {
    expect(problemsOf({ dist: 'uniform', min: 0, max: 1, mode: 0.5 })[0]).toMatch(/^x.mode: a parameter of uniform/);
    expect(problemsOf({ dist: 'lognormal', median: 7, p95: 10 })[0]).toMatch(/exactly one pair/);
  });
  it('reports the support of each kind', () => {
    expect(supportOf({ dist: 'normal', mean: 0, sd: 1 })).toEqual({ lo: -Infinity, hi: Infinity, loOpen: true, hiOpen: true });
    expect(supportOf({ dist: 'lognormal', mu: 0, sigma: 1 })).toMatchObject({ lo: 0, loOpen: true });
    expect(supportOf({ dist: 'mixture', components: [{ weight: 1, spec: { dist: 'uniform', min: 30, max: 90 } }, { weight: 1, spec: { dist: 'constant', value: 5 } }] })).toMatchObject({ lo: 5, hi: 90 });
  });
});
