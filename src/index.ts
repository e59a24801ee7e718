/**
 * accessgap as a library, for notebooks and scripts:
 *
 *   loadScenario(file) -> runScenario(loaded, options) -> result.summary -> writeReport(dir, ...)
 *
 * The same engine as the CLI: the same seed gives the same numbers, whatever the thread count.
 */
import { runSimulation, type RunResult } from './engine/run.js';
import { buildReportFiles } from './report/files.js';
import { addScenarioCopy } from './report/reproduce.js';
import { buildSummary, type RunExtras, type SummaryJson } from './analysis/run.js';
import type { CostOfDelay } from './analysis/delay.js';
import { writeFolderAtomically } from './output/folder.js';
import type { LoadedScenario } from './scenario/load.js';
import { runDelaySweep } from './study/delay.js';
import { choicesOf } from './study/run.js';
import { oneMoreDayIsClear } from './analysis/delay.js';
import { correlationDraws } from './study/draws.js';
import { populationJson, type PopulationJson } from './analysis/population.js';
import type { LoadedPopulation } from './scenario/population.js';
import { runPopulation as runPopulationPasses, type PopulationRun } from './study/population.js';

export { loadScenario, parseScenario, type LoadedScenario } from './scenario/load.js';
export { ScenarioError } from './scenario/problems.js';
export { scenarioWarnings } from './model/warnings.js';
export { PathError } from './sampling/draw.js';
export { OutputError } from './output/folder.js';
export { simulatePath, type PathResult } from './model/path.js';
export { METRICS, MITIGATION_METRICS, type Metric } from './model/metrics.js';
export type { SummaryJson, PolicyReport } from './analysis/run.js';
export type { Summary } from './stats/summary.js';
export type { RunResult } from './engine/run.js';
export type { CostOfDelay } from './analysis/delay.js';
export { loadPopulation, type LoadedPopulation } from './scenario/population.js';
export type { PopulationJson, Estimate } from './analysis/population.js';
export type { PopulationRun } from './study/population.js';

/**
 * Runs a loaded population (accessgap population): what population.json holds, and the per-path
 * totals of every archetype, policy and metric it was made from.
 */
export async function runPopulation(pop: LoadedPopulation, options: { paths?: number; seed?: number; threads?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {}): Promise<{ json: PopulationJson; run: PopulationRun }> {
  const run = await runPopulationPasses(pop, { paths: options.paths ?? pop.simulation.paths, seed: options.seed ?? pop.simulation.seed, threads: options.threads ?? 1, onProgress: options.onProgress, signal: options.signal });
  return { json: populationJson(pop, run), run };
}

export interface RunScenarioOptions {
  /** Monte Carlo paths (default: the file's simulation.paths). */
  paths?: number;
  /** Seed (default: the file's simulation.seed). */
  seed?: number;
  /** Threads (default 1; results do not depend on it). */
  threads?: number;
  onProgress?: (pathsDone: number, paths: number) => void;
  signal?: AbortSignal;
  /** Run the report's cost-of-delay exhibit, as `accessgap run` does (default true). */
  costOfDelay?: boolean;
}

export interface ScenarioRun {
  loaded: LoadedScenario;
  /** Per-path metric values, series and sketches. */
  result: RunResult;
  /** What summary.json holds. */
  summary: SummaryJson;
  /** The cost-of-delay exhibit, when run. */
  delay?: CostOfDelay;
  /** What the report adds to the engine's result (the cost-of-delay sweep, correlated inputs' draws). */
  extras: RunExtras;
  /** Per-path values of a metric under a policy (in path order). */
  values(policy: string, metric: string): Float64Array;
}

/** Runs a loaded scenario. */
export async function runScenario(loaded: LoadedScenario, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const sim = loaded.scenario.simulation;
  const result = await runSimulation(loaded, {
    paths: options.paths ?? sim.paths,
    seed: options.seed ?? sim.seed,
    threads: options.threads ?? 1,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const { paths, seed } = result.settings;
  const delay = options.costOfDelay === false ? undefined : await runDelaySweep(loaded, { paths, seed, threads: options.threads ?? 1, signal: options.signal }, choicesOf(result), oneMoreDayIsClear);
  const extras: RunExtras = { delay, correlated: correlationDraws(loaded, seed, paths) };
  const summary = buildSummary(loaded, result, extras);
  const values = (policy: string, metric: string) => {
    const i = result.plan.policies.findIndex((p) => p.name === policy);
    const j = result.plan.metrics.indexOf(metric as never);
    if (i < 0) throw new Error(`no compared policy named ${JSON.stringify(policy)} (${result.plan.policies.map((p) => p.name).join(', ')})`);
    if (j < 0) throw new Error(`no metric named ${JSON.stringify(metric)} (${result.plan.metrics.join(', ')})`);
    return result.metrics[i][j];
  };
  return { loaded, result, summary, delay: summary.cost_of_delay, extras, values };
}

/** Writes the report folder of a run (summary.json, CSVs, charts, summary.md, report.html) atomically. */
export async function writeReport(dir: string, run: ScenarioRun): Promise<void> {
  const { files } = await buildReportFiles(run.loaded, run.result, run.extras);
  addScenarioCopy(files, run.loaded);
  await writeFolderAtomically(dir, files, 'run');
}
