/**
 * shared/reference: deterministic scenarios and the values an independent implementation of
 * MODEL.md v3 gives for them. Every metric and series value, and the by_outcome,
 * mitigation_decision and attribution objects of summary@3, must agree to 1e-9 relative. The
 * files are kept in test/fixtures/reference so the test runs on any clone; where the project's
 * shared folder sits beside the clone (../shared/reference), a test checks the copy is identical.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { relErr, seriesTable, simulate } from '../helpers.js';

const TOL = 1e-9;
const DIR = 'test/fixtures/reference';

const SHARED = '../shared/reference';
describe.runIf(existsSync(SHARED))('reference files', () => {
  it('test/fixtures/reference is an exact copy of ../shared/reference', () => {
    expect(readdirSync(DIR).sort()).toEqual(readdirSync(SHARED).sort());
    for (const f of readdirSync(SHARED)) expect(readFileSync(`${DIR}/${f}`, 'utf8'), f).toBe(readFileSync(`${SHARED}/${f}`, 'utf8'));
  });
});

describe.each([
  ['reference-deterministic.yaml', 'expected.json'],
  ['reference-mitigation.yaml', 'expected-mitigation.json'],
  ['reference-attribution.yaml', 'expected-attribution.json'],
])('reference scenario %s', async (file, expectedFile) => {
  const expected = JSON.parse(readFileSync(`${DIR}/${expectedFile}`, 'utf8'));
  const loaded = await loadScenario(`${DIR}/${file}`);
  const { summary, result } = await simulate(loaded);
  const series = seriesTable(result);

  for (const [policy, metrics] of Object.entries(expected.policies as Record<string, Record<string, number>>)) {
    it(`${policy}: every metric mean matches to 1e-9 relative`, () => {
      expect(Object.keys(summary.policies[policy].metrics).sort()).toEqual(Object.keys(metrics).sort());
      for (const [m, want] of Object.entries(metrics)) {
        const got = summary.policies[policy].metrics[m].mean;
        expect(relErr(got, want), `${policy}.${m}: calculated ${got}, expected ${want}, tolerance ${TOL}`).toBeLessThanOrEqual(TOL);
      }
    });
  }

  /** Every number of `want` (nested objects and arrays) matches `got` to 1e-9 relative; nulls match nulls. */
  const same = (got: unknown, want: unknown, where: string): void => {
    if (want === null || typeof want !== 'object') {
      if (typeof want === 'number') {
        expect(typeof got, `${where}: calculated ${JSON.stringify(got)}, expected ${want}`).toBe('number');
        const tol = Math.abs(want) < 1e-3 ? 1e-9 : TOL * Math.abs(want);
        expect(Math.abs((got as number) - want), `${where}: calculated ${got}, expected ${want}`).toBeLessThanOrEqual(tol);
      } else expect(got, where).toEqual(want);
      return;
    }
    expect(typeof got, where).toBe('object');
    for (const [k, v] of Object.entries(want)) same((got as Record<string, unknown>)?.[k], v, `${where}.${k}`);
  };

  for (const key of ['by_outcome', 'mitigation_decision', 'attribution'] as const) {
    for (const [policy, want] of Object.entries((expected[key] ?? {}) as Record<string, unknown>)) {
      it(`${policy}: ${key} matches summary@3`, () => same(summary.policies[policy][key], want, `${policy}.${key}`));
    }
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


describe('decision: always on the v2 mitigation case', () => {
  it("reproduces MODEL.md v2's values on every metric but the two the tail's hiring premium moves between (harm_costs, pv_terminal_recovery)", async () => {
    const v2 = JSON.parse(readFileSync('test/fixtures/v2/expected-mitigation.json', 'utf8'));
    // The v2 file without its decision key is a v2 scenario; v3 reads it with decision: expected, so state always.
    const text = readFileSync('test/fixtures/v2/reference-mitigation.yaml', 'utf8').replace(/^(\s*)decide_after_days:(.*)$/m, '$1decide_after_days:$2\n$1decision: always');
    const loaded = await (await import('../../src/scenario/load.js')).parseScenario(text, 'v2.yaml');
    const { summary } = await simulate(loaded);
    let compared = 0;
    for (const [policy, metrics] of Object.entries(v2.policies as Record<string, Record<string, number>>)) {
      for (const [m, want] of Object.entries(metrics)) {
        if (m === 'harm_costs' || m === 'pv_terminal_recovery') continue;
        const got = summary.policies[policy].metrics[m].mean;
        expect(relErr(got, want), `${policy}.${m}: ${got} vs v2 ${want}`).toBeLessThanOrEqual(TOL);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
