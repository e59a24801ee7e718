/**
 * Populations of firms (docs/model.md section 15): totals of deterministic archetypes are their
 * runs times their counts, one archetype is its scenario's run, common inputs are shared by every
 * firm on a path, Pareto flags, thread invariance, and the population file's validation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL, estimateTotal, paretoFlags, populationJson } from '../../src/analysis/population.js';
import { runSimulation } from '../../src/engine/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { loadPopulation } from '../../src/scenario/population.js';
import { ScenarioError } from '../../src/scenario/problems.js';
import { POPULATION_METRICS, runPopulation } from '../../src/study/population.js';
import { runPopulation as runPopulationApi } from '../../src/index.js';
import { baseScenario, runCli, tempDir, toYaml, uncertainDoc } from '../helpers.js';

/** Writes scenario documents and a population over them into a fresh folder; returns the population file. */
function writePopulation(scenarios: Record<string, unknown>, population: Record<string, unknown>): string {
  const dir = tempDir('accessgap-population-');
  for (const [name, doc] of Object.entries(scenarios)) writeFileSync(join(dir, `${name}.yaml`), toYaml(doc));
  const file = join(dir, 'population.yaml');
  writeFileSync(file, toYaml(population));
  return file;
}

const base = baseScenario();
const populationOf = (archetypes: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'unit-population',
  title: 'Unit population',
  simulation: { paths: 4, seed: 11, horizon_days: base.simulation.horizon_days, discount_rate: base.simulation.discount_rate, tail_days: 60 },
  countries_of_concern: base.countries_of_concern,
  archetypes,
  policies: base.policies,
  ...extra,
});

describe('population totals', () => {
  it('of deterministic archetypes equal their runs times their counts, exactly', async () => {
    const small: Record<string, any> = { ...baseScenario(), simulation: { ...base.simulation, tail_days: 60 } };
    const large = { ...small, firm: { ...small.firm, revenue_annual: 3_000_000, cash: 80_000 }, mitigation: { decide_after_days: 10, hiring: { share: 0.5, delay_days: 20, cost_per_head: 10_000 } } };
    // Three firms (every one simulated: an exact sum) and 1,000 (eight simulated per path, times 125).
    const file = writePopulation({ small, large }, populationOf([{ name: 'small', firms: 3, scenario: 'small.yaml' }, { name: 'large', firms: 1000, scenario: 'large.yaml' }]));
    const pop = await loadPopulation(file);
    expect(pop.archetypes.map((a) => [a.perPath, a.exact])).toEqual([[3, true], [8, false]]);
    const run = await runPopulation(pop, { paths: 4, seed: 11, threads: 1 });
    const runs = await Promise.all(['small', 'large'].map(async (n) => runSimulation(await loadScenario(join(file, '..', `${n}.yaml`)), { paths: 1, seed: 1, threads: 1 })));
    const valueOf = (k: number, policy: number, metric: string) => {
      const at = runs[k].plan.metrics.indexOf(metric as never);
      return at < 0 ? 0 : runs[k].metrics[policy][at][0];
    };
    let checked = 0;
    run.policies.forEach((p, i) => {
      POPULATION_METRICS.forEach((metric, m) => {
        const small3 = 3 * valueOf(0, i, metric);
        const large1000 = 1000 * valueOf(1, i, metric);
        for (let path = 0; path < 4; path++) {
          expect(run.archetypes[0].totals[i][m][path]).toBe(small3);
          expect(run.archetypes[1].totals[i][m][path]).toBe(large1000);
        }
        const all = estimateTotal(run.archetypes[0].totals[i][m].map((x, path) => x + run.archetypes[1].totals[i][m][path]));
        expect(all.mean, `${p.name} ${metric}`).toBe(small3 + large1000);
        // Nothing uncertain: no spread.
        expect(all.se).toBe(0);
        if (small3 + large1000 !== 0) checked++;
      });
    });
    // population.json rounds to six significant digits.
    const json = populationJson(pop, run);
    expect(json.results.blanket[ALL].total_harm.mean).toBe(Number((3 * valueOf(0, 1, 'total_harm') + 1000 * valueOf(1, 1, 'total_harm')).toPrecision(6)));
    expect(checked).toBeGreaterThan(10);
  });

  it('of one archetype of one firm, nothing common, are its scenario as the population runs it, path by path', async () => {
    // Phase lengths are common inputs: fixed here, so that nothing is.
    const policies = uncertainDoc().policies;
    policies['what-happened'].phases[0].days = 10;
    const file = writePopulation({ u: uncertainDoc() }, populationOf([{ name: 'u', firms: 1, scenario: 'u.yaml' }], { policies }));
    const pop = await loadPopulation(file);
    const run = await runPopulation(pop, { paths: 300, seed: 5, threads: 1 });
    expect(pop.archetypes[0].common.length).toBe(1); // the fixed phase length: a constant, whatever its uniforms
    const own = await runSimulation(pop.archetypes[0].loaded, { paths: 300, seed: 5, threads: 1, study: { lastDayOnly: true, attribution: false } });
    const m = own.plan.metrics.indexOf('total_harm');
    run.policies.forEach((_, i) => expect(Array.from(run.archetypes[0].totals[i][POPULATION_METRICS.indexOf('total_harm')])).toEqual(Array.from(own.metrics[i][m])));
    // The scenario as run keeps the file's own inputs (same distributions, same slots).
    const fileScenario = (await loadScenario(join(file, '..', 'u.yaml'))).scenario;
    expect(pop.archetypes[0].loaded.scenario.inputs.map((d) => [d.key, d.slot])).toEqual(fileScenario.inputs.map((d) => [d.key, d.slot]));
  });

  it('share the common inputs: every firm of every archetype on a path has the same outage', async () => {
    // Two deterministic archetypes with different staff; only the outage's length is uncertain, and common.
    const a = baseScenario();
    const b = { ...baseScenario(), staff: [{ name: 'x', headcount: 3, nationality: 'DE', location: 'DE', ai_dependence: 0.5 }] };
    const common = { revocation: { start_day: 3, duration_days: { dist: 'uniform', min: 5, max: 100 } } };
    const file = writePopulation({ a, b }, populationOf([{ name: 'a', firms: 2, scenario: 'a.yaml' }, { name: 'b', firms: 5, scenario: 'b.yaml' }], { common, simulation: { ...populationOf([]).simulation, firms_per_path: 2 } }));
    const pop = await loadPopulation(file);
    expect(pop.commonKeys).toContain('revocation.duration_days');
    const run = await runPopulation(pop, { paths: 40, seed: 3, threads: 1 });
    // Under the shutoff every head of both firms loses access for the path's D days: access-days = N x heads x D.
    const shutoff = run.policies.findIndex((p) => p.name === 'shutoff');
    const days = (k: number) => run.archetypes[k].totals[shutoff][POPULATION_METRICS.indexOf('collateral_access_days')].map((x, p) => x + run.archetypes[k].totals[shutoff][POPULATION_METRICS.indexOf('targeted_access_days')][p]);
    const da = Array.from(days(0), (x) => x / (2 * 12));
    const db = Array.from(days(1), (x) => x / (5 * 3));
    expect(new Set(da).size).toBeGreaterThan(10);
    expect(db).toEqual(da);
  });

  it('estimates: percentiles null when the paths do not resolve the spread left after the sampling noise', () => {
    const X = Float64Array.from({ length: 400 }, (_, i) => Math.sin(i) * 10);
    expect(estimateTotal(X).p05).not.toBeNull();
    // Nearly all of the spread (variance 50) is noise: what is left is not resolved by 400 paths.
    const E = new Float64Array(400).fill(49);
    expect(estimateTotal(X, E).p05).toBeNull();
    expect(estimateTotal(X, E).noise_share).toBeGreaterThan(0.95);
    // A quarter of it left: resolved, and the percentiles narrower than the raw values' (shrunk by sqrt(1/4)).
    const quarter = estimateTotal(X, new Float64Array(400).fill(37.5));
    const raw = estimateTotal(X);
    expect(quarter.p95! - quarter.p05!).toBeCloseTo((raw.p95! - raw.p05!) / 2, 1);
    // Its bound: 1.645 sd at the variance's upper confidence bound, here about sd(X) = 7.1 at most.
    const bound = estimateTotal(X, E).spread_bound!;
    expect(bound).toBeGreaterThan(0);
    expect(bound).toBeLessThan(1.645 * 7.1 * 1.5);
  });
});

describe('the frontier', () => {
  it('flags a point Pareto when no other denies at least as much targeted access at no more harm, one strictly', () => {
    const points = [
      { targeted: 10, harm: 5 }, // front
      { targeted: 10, harm: 7 }, // dominated by the first (same targeted, more harm)
      { targeted: 4, harm: 1 }, // front (least harm)
      { targeted: 12, harm: 20 }, // front (most targeted)
      { targeted: 3, harm: 1 }, // dominated by the third
      { targeted: 4, harm: 1 }, // a tie with the third: neither dominates the other
    ];
    expect(paretoFlags(points)).toEqual([true, false, true, true, false, true]);
  });
});

describe('accessgap population', () => {
  it('writes the same files whatever the thread count', async () => {
    const file = writePopulation({ u: uncertainDoc() }, populationOf([{ name: 'u', firms: { dist: 'uniform', min: 10, max: 30 }, scenario: 'u.yaml' }, { name: 'v', firms: 4, scenario: 'u.yaml', firms_per_path: 2 }], { common: { revocation: uncertainDoc().revocation }, policies: uncertainDoc().policies }));
    const outs = [1, 3].map((t) => join(tempDir(), `t${t}`));
    for (const [k, t] of [1, 3].entries()) {
      const r = await runCli(['population', file, '--paths', '1500', '--threads', String(t), '--out', outs[k], '--quiet']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    }
    for (const name of ['population.json', 'population.csv', 'frontier.csv', 'summary.md', 'charts/population-frontier.svg', 'population.yaml', 'archetypes/u.yaml'])
      expect(readFileSync(join(outs[1], name), 'utf8'), name).toBe(readFileSync(join(outs[0], name), 'utf8'));
    const json = JSON.parse(readFileSync(join(outs[0], 'population.json'), 'utf8'));
    expect(json.schema).toBe('accessgap/population@1');
    expect(readFileSync(join(outs[0], 'population.csv'), 'utf8').split('\n')[0]).toBe('policy,archetype,metric,mean,se,ci95_lo,ci95_hi,p05,p50,p95,noise_share,spread_bound');
    expect(readFileSync(join(outs[0], 'frontier.csv'), 'utf8').split('\n')[0]).toMatch(/^policy,status,targeted_access_days,.*collateral_access_days,total_harm,.*insolvent,.*pareto$/);
    expect(json.statements[0]).toMatch(/^On the frontier/);
    // The library gives what the file holds.
    const lib = await runPopulationApi(await loadPopulation(file), { paths: 1500, threads: 2 });
    expect(JSON.parse(JSON.stringify(lib.json))).toEqual(json);
  });

  it('refuses a bad population with every problem, naming both files for an invalid scenario (exit 2)', async () => {
    const broken = { ...baseScenario(), firm: { ...baseScenario().firm, gross_margin: 1.6 } };
    const file = writePopulation(
      { ok: baseScenario(), broken },
      populationOf([
        { name: 'a', firms: 0, scenario: 'ok.yaml' },
        { name: 'a', firms: 2, scenario: 'missing.yaml' },
        { name: 'c', firms: 2, scenario: 'broken.yaml' },
      ]),
    );
    const out = join(tempDir(), 'never');
    const r = await runCli(['population', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/population\.yaml:\d+:\d+: archetypes\[0\]\.firms: expected a number >= 1, found 0/);
    expect(r.err).toMatch(/archetypes\[1\]\.name: expected a name not used by another archetype \(archetypes\[0\] has it\), found "a"/);
    expect(r.err).toMatch(/archetypes\[1\]\.scenario: expected a valid scenario file \(relative to this file\), found \S*missing\.yaml: no such file/);
    expect(r.err).toMatch(/archetypes\[2\]\.scenario: expected a valid scenario file \(relative to this file\), found \S*broken\.yaml, which has 1 problem \(below\)\n\S*broken\.yaml:\d+:\d+: firm\.gross_margin: expected a number in \[0, 1\]/);
    await expect(loadPopulation(file)).rejects.toBeInstanceOf(ScenarioError);
    expect((await runCli(['validate', file])).code).toBe(2);
  });

  it('validates the shipped population', async () => {
    const r = await runCli(['validate', 'scenarios/populations/us-firms-foreign-staff.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/valid population \(6 archetypes, 8 compared policies/);
  });
});
