/**
 * Correlated inputs: a Gaussian copula on the inputs' uniforms (Pearson 2 sin(pi rank / 6) between
 * normal scores) gives the asked Spearman correlation and keeps every marginal distribution.
 */
import { describe, expect, it } from 'vitest';
import { drawnValues, makeInputDrawer } from '../../src/sampling/draw.js';
import { spearman } from '../../src/analysis/sensitivity.js';
import { baseScenario, loadDoc, simulate } from '../helpers.js';

function doc(correlations?: unknown) {
  const d = baseScenario();
  d.frontier.doubling_months = { dist: 'lognormal', median: 5, p90: 8 };
  d.fallback.lag_months = { dist: 'pert', min: 1, mode: 4, max: 8 };
  d.firm.cash = { dist: 'uniform', min: 100_000, max: 900_000 };
  if (correlations) d.correlations = correlations;
  return d;
}

async function draws(d: Record<string, any>, keys: string[], n: number) {
  const loaded = await loadDoc(d);
  const drawer = makeInputDrawer(loaded.scenario, loaded.expressions, 11);
  const values = new Float64Array(loaded.scenario.inputs.length);
  const ids = keys.map((k) => loaded.scenario.inputs.find((x) => x.key === k)!.id);
  const out = keys.map(() => new Float64Array(n));
  for (let k = 0; k < n; k++) {
    drawer.draw(k, values);
    ids.forEach((id, i) => (out[i][k] = values[id]));
  }
  return out;
}

/** Two-sample Kolmogorov-Smirnov statistic. */
function ks(a: Float64Array, b: Float64Array): number {
  const [x, y] = [Float64Array.from(a).sort(), Float64Array.from(b).sort()];
  let [i, j, d] = [0, 0, 0];
  while (i < x.length && j < y.length) {
    if (x[i] <= y[j]) i++;
    else j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

describe('correlated inputs', () => {
  it('achieve the asked rank correlation within 0.02 at 20,000 paths and keep each marginal (KS)', async () => {
    const keys = ['frontier.doubling_months', 'fallback.lag_months', 'firm.cash'];
    const n = 20_000;
    const corr = await draws(doc([{ between: ['frontier.doubling_months', 'fallback.lag_months'], rank: 0.5 }, { between: ['firm.cash', 'fallback.lag_months'], rank: -0.3 }]), keys, n);
    const indep = await draws(doc(), keys, n);
    expect(Math.abs(spearman(corr[0], corr[1]).rho - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(spearman(corr[2], corr[1]).rho + 0.3)).toBeLessThan(0.02);
    expect(Math.abs(spearman(indep[0], indep[1]).rho)).toBeLessThan(0.03);
    // Marginals unchanged: the two-sample KS statistic below its 0.1% critical value, 1.95 sqrt(2/n) = 0.0195.
    for (let i = 0; i < keys.length; i++) expect(ks(corr[i], indep[i]), keys[i]).toBeLessThan(1.95 * Math.sqrt(2 / n));
  });

  it.each(['mc', 'lhs', 'qmc'])('drawn alone (drawnValues of distributions) take the values a full draw gives them (%s)', async (sampling) => {
    const d = doc([{ between: ['frontier.doubling_months', 'fallback.lag_months'], rank: 0.5 }]);
    d.simulation = { ...d.simulation, sampling };
    const keys = ['fallback.lag_months', 'frontier.doubling_months'];
    const n = 1100; // past a block of 1,024 paths (lhs and qmc)
    const full = await draws(d, keys, n);
    const loaded = await loadDoc(d);
    const ids = keys.map((k) => loaded.scenario.inputs.find((x) => x.key === k)!.id);
    const alone = drawnValues(loaded.scenario, loaded.expressions, 11, ids, n);
    keys.forEach((k, i) => expect(Array.from(alone[i]), k).toEqual(Array.from(full[i])));
    expect(new Set(alone[0]).size).toBeGreaterThan(n / 2);
  });

  it('are reported in summary.json with the achieved rank correlation', async () => {
    const { summary } = await simulate(await loadDoc(doc([{ between: ['frontier.doubling_months', 'fallback.lag_months'], rank: 0.6 }])), { paths: 2000 });
    expect(summary.correlations![0]).toMatchObject({ between: ['frontier.doubling_months', 'fallback.lag_months'], rank: 0.6 });
    expect(Math.abs(summary.correlations![0].achieved - 0.6)).toBeLessThan(0.05);
  });

  it.each([
    [[{ between: ['frontier.doubling_months', 'frontier.doubling_months'], rank: 0.5 }], /correlations\[0\]\.between: expected two different inputs, found "frontier\.doubling_months" twice/],
    [[{ between: ['frontier.doubling_months', 'firm.revenue_annual'], rank: 0.5 }], /correlations\[0\]\.between: expected an uncertain input .*found "firm\.revenue_annual", a constant/],
    [[{ between: ['frontier.doubling_months', 'firm.cassh'], rank: 0.5 }], /correlations\[0\]\.between: expected the key path of an uncertain input \(none has this one\), found "firm\.cassh" \(did you mean "firm\.cash"\?\)/],
    [[{ between: ['frontier.doubling_months', 'fallback.lag_months'], rank: 1 }], /correlations\[0\]\.rank: expected a number > -1 and < 1, found 1/],
    [
      [
        { between: ['frontier.doubling_months', 'fallback.lag_months'], rank: 0.5 },
        { between: ['fallback.lag_months', 'frontier.doubling_months'], rank: 0.2 },
      ],
      /correlations\[1\]\.between: expected each pair at most once, found fallback\.lag_months and frontier\.doubling_months again/,
    ],
    [
      [
        { between: ['frontier.doubling_months', 'fallback.lag_months'], rank: 0.9 },
        { between: ['fallback.lag_months', 'firm.cash'], rank: 0.9 },
        { between: ['frontier.doubling_months', 'firm.cash'], rank: -0.9 },
      ],
      /correlations: expected rank correlations that can hold together \(a positive definite matrix\), found the pairs frontier\.doubling_months ~ fallback\.lag_months \(0\.9\), fallback\.lag_months ~ firm\.cash \(0\.9\), frontier\.doubling_months ~ firm\.cash \(-0\.9\)/,
    ],
  ])('an invalid block is a validation error naming the pairs: %#', async (correlations, message) => {
    const err = await loadDoc(doc(correlations)).then(() => '', (e: Error) => e.message);
    expect(err).toMatch(message);
  });
});
