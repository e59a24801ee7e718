/** accessgap sensitivity: the tornado and rank correlations, on the same paths as the base run. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ranks, spearman } from '../../src/analysis/sensitivity.js';
import { baseScenario, loadDoc, relErr, runCli, simulate, tempDir, toYaml } from '../helpers.js';

/** Harm depends on the revocation's length and the capability elasticity; cash is uncertain but moves nothing. */
function twoDrivers() {
  const d = baseScenario();
  d.firm.cash = { dist: 'uniform', min: 5e7, max: 9e7 }; // never insolvent: total harm does not read cash
  d.revocation.duration_days = { dist: 'uniform', min: 10, max: 90 };
  d.productivity.capability_elasticity = { dist: 'uniform', min: 0.2, max: 2 };
  return d;
}

async function analyse(doc: Record<string, any>, args: string[] = []) {
  const dir = tempDir();
  const file = join(dir, 's.yaml');
  writeFileSync(file, toYaml(doc));
  const out = join(dir, 'sens');
  const r = await runCli(['sensitivity', file, '--paths', '300', '--out', out, '--threads', '1', ...(args.includes('sobol') ? [] : ['--quiet']), ...args]);
  return { r, out, file, json: r.code === 0 ? JSON.parse(readFileSync(join(out, 'sensitivity.json'), 'utf8')) : undefined };
}

describe('accessgap sensitivity', () => {
  it('ranks the two inputs that drive harm first; an input that moves nothing has zero swing; constants are not analysed', async () => {
    const { r, json, out } = await analyse(twoDrivers());
    expect(r.code, r.err).toBe(0);
    expect(json.inputs.map((i: any) => i.key).sort()).toEqual(['firm.cash', 'productivity.capability_elasticity', 'revocation.duration_days']);
    const tornado = json.policies.blanket.tornado;
    expect(tornado.slice(0, 2).map((t: any) => t.input).sort()).toEqual(['productivity.capability_elasticity', 'revocation.duration_days']);
    expect(tornado[2]).toMatchObject({ input: 'firm.cash', swing: 0 });
    const rank = Object.fromEntries(json.policies.blanket.rank.map((x: any) => [x.input, x.spearman]));
    expect(rank['revocation.duration_days']).toBeGreaterThan(0.3);
    expect(Math.abs(rank['firm.cash'])).toBeLessThan(0.15);
    for (const f of ['tornado.csv', 'rank.csv', 'summary.md', 'report.html', 'charts/tornado-blanket.png', 'charts/rank-correlations.svg']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'tornado.csv'), 'utf8').split('\n')[0]).toBe('policy,metric,input,low_value,high_value,mean_low,mean_high,se_low,se_high,swing,base_mean');
    expect(readFileSync(join(out, 'rank.csv'), 'utf8').split('\n')[0]).toBe('policy,metric,input,spearman,ci95_lo,ci95_hi');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/blanket: productivity\.capability_elasticity, from .* and revocation\.duration_days, from .* move total_harm more than any other input/);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/blanket: no clear effect \(within the Monte Carlo error\) from firm\.cash\./);
  });

  it('gives Sobol indices: zero for an input that moves nothing, S1 <= ST within intervals, in sobol.csv', async () => {
    const { r, json, out } = await analyse(twoDrivers(), ['--method', 'sobol', '--sobol-paths', '512', '--policy', 'blanket']);
    expect(r.code, r.err).toBe(0);
    const sobol = Object.fromEntries(json.policies.blanket.sobol.map((x: any) => [x.input, x]));
    expect(sobol['firm.cash']).toMatchObject({ S1: 0, ST: 0 });
    for (const k of ['revocation.duration_days', 'productivity.capability_elasticity']) {
      expect(sobol[k].ST).toBeGreaterThan(0.05);
      // S1 <= ST, within the intervals: S1's lower bound is not above ST's upper bound.
      expect(sobol[k].S1_ci95[0]).toBeLessThanOrEqual(sobol[k].ST_ci95[1]);
    }
    expect(json.run.sobol_paths).toBe(512);
    expect(readFileSync(join(out, 'sobol.csv'), 'utf8').split('\n')[0]).toBe('policy,metric,input,S1,S1_ci95_lo,S1_ci95_hi,ST,ST_ci95_lo,ST_ci95_hi');
    expect(existsSync(join(out, 'charts/sobol-indices.png'))).toBe(true);
    expect(r.err).toMatch(/Sobol indices: N \(k \+ 2\) = 512 x 5 = 2,560 paths/);
  });

  it("gives the tornado's low and high means that a run with the input fixed in the file gives", async () => {
    const doc = baseScenario();
    doc.revocation.duration_days = { dist: 'uniform', min: 10, max: 90 };
    const { json } = await analyse(doc, ['--method', 'tornado', '--tornado-quantiles', '0.05,0.95']);
    const row = json.policies.shutoff.tornado[0];
    expect(row.input).toBe('revocation.duration_days');
    expect(json.run.tornado_quantiles).toEqual([0.05, 0.95]);
    for (const [value, mean] of [[row.low_value, row.mean_low], [row.high_value, row.mean_high]]) {
      const fixed = baseScenario();
      fixed.revocation.duration_days = value;
      const { summary } = await simulate(await loadDoc(fixed), { paths: 300 });
      expect(relErr(mean, summary.policies.shutoff.metrics.total_harm.mean)).toBeLessThanOrEqual(1e-9);
    }
  });

  it("shows settings at the expert's two values apart from the inputs, each equal to a run with that setting in the file", async () => {
    const doc = twoDrivers();
    const { json, out, file } = await analyse(doc, ['--method', 'tornado', '--setting', 'simulation.discount_rate=0.05,0.40']);
    for (const [policy, p] of Object.entries(json.policies as Record<string, any>)) {
      const [row] = p.settings;
      expect(row.input).toBe('simulation.discount_rate');
      expect(p.tornado.some((r: { input: string }) => r.input.startsWith('simulation.'))).toBe(false);
      const fixed = structuredClone(doc);
      fixed.simulation.discount_rate = 0.4;
      const { summary } = await simulate(await loadDoc(fixed), { paths: json.run.paths, seed: json.run.seed });
      expect(relErr(row.mean_high, summary.policies[policy].metrics.total_harm.mean), policy).toBeLessThanOrEqual(1e-9);
    }
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain("Settings at two values of the expert's choice (not uncertainty");
    const bad = await runCli(['sensitivity', file, '--setting', 'simulation.discount_rate=0.1', '--out', join(out, '..', 'x')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--setting simulation\.discount_rate=0\.1: expected KEY=LOW,HIGH/);
  });

  it('writes byte-identical files with 1 and 3 threads, passes of one block running side by side', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, toYaml(twoDrivers()));
    const got = [];
    // Three threads: the 2-block passes leave one thread to the next pass, and the 1-block ones
    // (the tornado's and Saltelli's) run three at a time.
    for (const t of ['1', '3']) {
      const out = join(dir, `o${t}`);
      const r = await runCli(['sensitivity', file, '--paths', '1100', '--tornado-paths', '600', '--sobol-paths', '300', '--out', out, '--threads', t, '--quiet', '--policy', 'blanket']);
      expect(r.code, r.err).toBe(0);
      got.push(['sensitivity.json', 'tornado.csv', 'rank.csv', 'sobol.csv', 'summary.md'].map((f) => readFileSync(join(out, f), 'utf8')));
    }
    expect(got[1]).toEqual(got[0]);
  });

  it("runs the tornado on its first --tornado-paths paths: the tornado of a run of that many paths; the base's mean and ranks over all of them", async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, toYaml(twoDrivers()));
    const json = async (name: string, args: string[]) => {
      const out = join(dir, name);
      const r = await runCli(['sensitivity', file, '--out', out, '--threads', '2', '--quiet', '--policy', 'blanket', '--method', 'all', '--sobol-paths', '64', ...args]);
      expect(r.code, r.err).toBe(0);
      return JSON.parse(readFileSync(join(out, 'sensitivity.json'), 'utf8'));
    };
    const cheap = await json('cheap', ['--paths', '1500', '--tornado-paths', '400']);
    const full = await json('full', ['--paths', '1500', '--tornado-paths', '1500']);
    expect(cheap.run.tornado_paths).toBe(400);
    expect(full.run.tornado_paths).toBe(1500);
    // The ends are the percentiles of the draws on every path of the run; their means are those of
    // a run of the tornado's paths with the input fixed in the file.
    const rows = (j: any) => Object.fromEntries(j.policies.blanket.tornado.map((r: any) => [r.input, r]));
    const row = rows(cheap)['revocation.duration_days'];
    expect([row.low_value, row.high_value]).toEqual([rows(full)['revocation.duration_days'].low_value, rows(full)['revocation.duration_days'].high_value]);
    for (const [value, mean] of [[row.low_value, row.mean_low], [row.high_value, row.mean_high]]) {
      const fixed = twoDrivers();
      fixed.revocation.duration_days = value;
      const { summary } = await simulate(await loadDoc(fixed), { paths: 400 });
      expect(relErr(mean, summary.policies.blanket.metrics.total_harm.mean)).toBeLessThanOrEqual(1e-9);
    }
    expect(cheap.policies.blanket.base_mean).toBe(full.policies.blanket.base_mean);
    expect(cheap.policies.blanket.rank).toEqual(full.policies.blanket.rank);
    expect(cheap.policies.blanket.sobol).toEqual(full.policies.blanket.sobol);
    expect(readFileSync(join(dir, 'cheap', 'summary.md'), 'utf8')).toMatch(/1,500 paths per run \(the tornado on the first 400\).*--tornado-paths 400/s);
  });

  it.each([
    [['--policy', 'blankett'], /--policy blankett: expected a compared policy \(shutoff, blanket, concern, nobody\), found an unknown name \(did you mean "blanket"\?\)/],
    [['--metric', 'total_harms'], /--metric total_harms: expected one of .*found an unknown metric \(did you mean "total_harm"\?\)/],
    [['--method', 'sobolev'], /--method sobolev: expected tornado, rank, sobol or all/],
    [['--tornado-quantiles', '0.9,0.1'], /--tornado-quantiles 0\.9,0\.1: expected two probabilities/],
    [['--tornado-paths', '301'], /--tornado-paths 301: expected at most the run's paths \(300\)/],
  ])('refuses %j with exit 2, naming it', async (args, message) => {
    const { r, out } = await analyse(twoDrivers(), args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});

describe('rank correlation', () => {
  it('ranks ties by their average rank and gives textbook values', () => {
    expect(Array.from(ranks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(spearman([1, 2, 3, 4, 5], [2, 4, 6, 8, 100]).rho).toBe(1);
    expect(spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]).rho).toBe(-1);
    // Ten pairs with one swap: rho = 1 - 6 * 2 / (10 * 99) = 0.98788.
    const r = spearman([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 8, 10, 9]);
    expect(r.rho).toBeCloseTo(1 - 12 / 990, 12);
    expect(r.ci95![0]).toBeLessThan(r.rho);
    expect(r.ci95![1]).toBeGreaterThan(r.rho);
  });
});
