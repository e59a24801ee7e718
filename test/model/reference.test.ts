/**
 * shared/reference: a deterministic scenario and the values an independent implementation of
 * MODEL.md gives for it. Every metric and series value must agree to 1e-9 relative. The files are
 * kept in test/fixtures/reference so the test runs on any clone; where the project's shared folder
 * sits beside the clone (../shared/reference), a test checks the copy is still identical.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { METRICS } from '../../src/model/metrics.js';
import { relErr, seriesTable, simulate } from '../helpers.js';

const expected = JSON.parse(readFileSync('test/fixtures/reference/expected.json', 'utf8'));
const TOL = 1e-9;

const SHARED = '../shared/reference';
describe.runIf(existsSync(SHARED))('reference files', () => {
  it('test/fixtures/reference is an exact copy of ../shared/reference', () => {
    for (const f of ['expected.json', 'reference-deterministic.yaml', 'README.md']) {
      expect(readFileSync(`test/fixtures/reference/${f}`, 'utf8'), f).toBe(readFileSync(`${SHARED}/${f}`, 'utf8'));
    }
  });
});

describe('reference scenario (shared/reference)', async () => {
  const loaded = await loadScenario('test/fixtures/reference/reference-deterministic.yaml');
  const { summary, result } = await simulate(loaded);
  const series = seriesTable(result);

  for (const [policy, metrics] of Object.entries(expected.policies as Record<string, Record<string, number>>)) {
    it(`${policy}: every metric mean matches to 1e-9 relative`, () => {
      for (const m of METRICS) {
        const got = summary.policies[policy].metrics[m].mean;
        const want = metrics[m];
        expect(relErr(got, want), `${policy}.${m}: calculated ${got}, expected ${want}, tolerance ${TOL}`).toBeLessThanOrEqual(TOL);
      }
    });
  }

  it('the but-for insolvency probability matches', () => {
    expect(summary.butfor.insolvency_probability).toBe(expected.butfor_insolvency_probability);
  });

  for (const [world, variables] of Object.entries(expected.series_mean_at_day as Record<string, Record<string, Record<string, number>>>)) {
    it(`${world}: daily series match on the sampled days, mean and every quantile`, () => {
      for (const [variable, days] of Object.entries(variables)) {
        for (const [day, want] of Object.entries(days)) {
          const [mean, ...quantiles] = series(world, variable, Number(day));
          const tol = Math.abs(want) < 1e-3 ? 1e-9 : TOL * Math.abs(want);
          expect(Math.abs(mean - want), `${world}.${variable}[${day}] mean: calculated ${mean}, expected ${want}`).toBeLessThanOrEqual(tol);
          // Identical paths: the sketch clamps to the exact min = max, so quantiles are exact too.
          for (const q of quantiles) expect(Math.abs(q - want), `${world}.${variable}[${day}] quantile ${q} vs ${want}`).toBeLessThanOrEqual(tol);
        }
      }
    });
  }
});
