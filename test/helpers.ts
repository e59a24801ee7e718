/** Shared test helpers: small scenarios built in code, and the CLI run in-process. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { main } from '../src/cli/main.js';
import { parseScenario, type LoadedScenario } from '../src/scenario/load.js';

/** A small, fully deterministic scenario (every input a point value); override any part. */
export function baseScenario(): Record<string, any> {
  return {
    name: 'unit',
    title: 'Unit-test scenario',
    simulation: { paths: 4, seed: 7, horizon_days: 120, discount_rate: 0.1 },
    firm: { revenue_annual: 1_000_000, revenue_growth: 0.2, gross_margin: 0.7, operating_costs_annual: 900_000, cash: 500_000, credit_line: 0, revenue_multiple: 4 },
    staff: [
      { name: 'us', headcount: 4, nationality: 'US', location: 'US', ai_dependence: 0.3 },
      { name: 'ca', headcount: 6, nationality: 'CA', location: 'CA', ai_dependence: 0.5 },
      { name: 'cn', headcount: 2, nationality: 'CN', location: 'CN', ai_dependence: 0.4 },
    ],
    frontier: { doubling_months: 5, acceleration: 0.1 },
    fallback: { lag_months: 3, lag_growth: 0.1 },
    productivity: { capability_elasticity: 0.8 },
    adaptation: { base_days: 20, per_revoked_day: 0.1, switch_cost: 30_000, switch_back_cost: 10_000 },
    product: { obsolescence_days: 60, model_dependence: 0.4 },
    market: { quality_elasticity: 1.5, loss_days: 30, winback_days: 120 },
    revocation: { start_day: 3, duration_days: 40 },
    countries_of_concern: ['CN', 'RU'],
    policies: {
      shutoff: { restrict: { everyone: true } },
      blanket: { restrict: { nationality_not_in: ['US'] } },
      concern: { restrict: { nationality_in: ['CN', 'RU'] } },
      nobody: { restrict: { nationality_in: ['RU'] } },
    },
  };
}

/**
 * baseScenario made uncertain over 200 days, with financing, a delayed revocation of uncertain
 * length, a licence, a product-only policy, a phased policy and mitigation (with a world that
 * does not mitigate): every branch of the day loop is reached.
 */
export async function uncertainScenario(): Promise<LoadedScenario> {
  return loadDoc(uncertainDoc());
}

/** uncertainScenario's document, to vary. */
export function uncertainDoc(): Record<string, any> {
  const doc = baseScenario();
  doc.simulation.horizon_days = 200;
  doc.firm.revenue_growth = { dist: 'normal', mean: 0.3, sd: 0.2, min: -0.5 };
  doc.firm.cash = { dist: 'uniform', min: 20_000, max: 400_000 };
  doc.firm.financing = { raise_below: 150_000, round_size: 300_000, success_probability: 0.6, quality_sensitivity: 2, retry_days: 20, max_rounds: 2 };
  doc.frontier.acceleration = { dist: 'uniform', min: 0, max: 0.5 };
  doc.productivity.capability_elasticity = { dist: 'pert', min: 0.2, mode: 1, max: 3 };
  doc.revocation.start_day = 10;
  doc.revocation.duration_days = { dist: 'lognormal', median: 70, p90: 150 };
  doc.policies.licence = { restrict: { nationality_not_in: ['US'] }, license: { approval_probability: 0.5, processing_days: { dist: 'uniform', min: 5, max: 40 } } };
  doc.policies['product-only'] = { restrict: { product: true } };
  // MODEL.md v2: fading growth, a permanent share, a tail, a phased policy and mitigation.
  doc.simulation.tail_days = 150;
  doc.firm.growth_persistence = { dist: 'uniform', min: 0.6, max: 1 };
  doc.market.permanent_share = { dist: 'uniform', min: 0, max: 0.5 };
  doc.policies['what-happened'] = { phases: [{ restrict: { everyone: true }, days: { dist: 'uniform', min: 0, max: 30 } }, { restrict: { nationality_not_in: ['US'] } }] };
  doc.policies['blanket-unmitigated'] = { restrict: { nationality_not_in: ['US'] }, mitigate: false };
  doc.policies.location = { restrict: { location_not_in: ['US'] } };
  doc.mitigation = {
    decide_after_days: { dist: 'uniform', min: 0, max: 60 },
    relocation: { share: { dist: 'uniform', min: 0, max: 0.6 }, delay_days: { dist: 'uniform', min: 10, max: 60 }, cost_per_head: 20_000 },
    hiring: { share: 0.4, delay_days: { dist: 'uniform', min: 20, max: 90 }, cost_per_head: 30_000, premium_annual: 20_000 },
    // Every remedy that helps (v2's rule), so the compared worlds are the kernel's own; the
    // differential test covers the decision's option worlds and attribution sub-worlds too.
    decision: 'always',
  };
  return doc;
}

export const toYaml = (doc: unknown): string => stringify(doc);

export async function loadDoc(doc: unknown, file = 'test.yaml'): Promise<LoadedScenario> {
  return parseScenario(typeof doc === 'string' ? doc : toYaml(doc), file);
}

export const tempDir = (prefix = 'accessgap-test-'): string => mkdtempSync(join(tmpdir(), prefix));

/** Runs the CLI in-process; returns exit code and captured output. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t), errIsTTY: false });
  return { code, out, err };
}

/** Loads the expected error of a fixture: the text after "# expect: " on its first line. */
export const expectedOf = (text: string): string | undefined => /^# expect: (.*)$/m.exec(text)?.[1];

import { runSimulation, type RunResult } from '../src/engine/run.js';
import { buildSummary, seriesRows, type SummaryJson } from '../src/analysis/run.js';
import { seriesCsv } from '../src/report/summary.js';
import type { Metric } from '../src/model/metrics.js';
import { correlationDraws } from '../src/study/draws.js';

/** Runs a loaded scenario in-process; per-path metric values by policy and metric name. */
export async function simulate(loaded: LoadedScenario, opts: { paths?: number; seed?: number; threads?: number } = {}) {
  const sim = loaded.scenario.simulation;
  const result: RunResult = await runSimulation(loaded, { paths: opts.paths ?? sim.paths, seed: opts.seed ?? sim.seed, threads: opts.threads ?? 1 });
  const summary: SummaryJson = buildSummary(loaded, result, { correlated: correlationDraws(loaded, result.settings.seed, result.settings.paths) });
  const values = (policy: string, metric: Metric) => result.metrics[result.plan.policies.findIndex((p) => p.name === policy)][result.plan.metrics.indexOf(metric)];
  return { result, summary, values };
}

/** series.csv parsed: value of a column at (world, variable, day). */
export function seriesTable(result: RunResult) {
  const rows = seriesCsv(seriesRows(result)).trim().split('\n').slice(1).map((l) => l.split(','));
  const map = new Map(rows.map((r) => [`${r[0]}|${r[2]}|${r[1]}`, r.slice(3).map(Number)]));
  return (world: string, variable: string, day: number) => map.get(`${world}|${variable}|${day}`)!;
}

export const relErr = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

/** Every file of a report folder but the machine's (timing.json, manifest.json) and the folder's marker, by path. */
export function reportFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (!['timing.json', 'manifest.json', '.accessgap-files.json'].includes(rel)) out.set(rel, readFileSync(join(dir, rel), 'latin1'));
    }
  };
  walk('');
  return out;
}

/** Two report folders hold the same files with the same bytes (timing.json and manifest.json aside). */
export function expectSameReport(got: string, expected: string): void {
  const [a, b] = [reportFiles(got), reportFiles(expected)];
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, text] of b) expect(a.get(name) === text, name).toBe(true);
}
