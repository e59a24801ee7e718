/**
 * `accessgap sensitivity FILE [--policy NAME]... [--metric NAME] [--method tornado|rank|sobol|all]`:
 * which uncertain inputs drive a metric, on the same paths as the base run.
 *
 *   uncertain inputs -> their draws on the base run's paths (rank correlations, tornado values)
 *   -> passes: the base and each input at its low and high percentile (runStudy), Saltelli's
 *   matrices (runSaltelli) -> analysis/sensitivity.ts -> report/sensitivity.ts -> the pipeline
 */
import { runStudy } from '../study/run.js';
import { sensitivityJson, tornadoValues, type SensitivityJson } from '../analysis/sensitivity.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { PassSettings } from '../study/passes.js';
import type { PrecisionOutcome } from '../study/precision.js';
import { runSaltelli, sobolFactors } from '../study/sobol.js';
import { buildSensitivityFiles } from '../report/sensitivity.js';
import { estimateRun } from '../engine/guards.js';
import { makePlan } from '../engine/block.js';
import { drawnValues } from '../sampling/draw.js';
import { checkSensitivity, type SensitivityPlan } from './sensitivity-flags.js';
import { MAX_PATHS } from '../scenario/spec.js';
import type { Command } from '@commander-js/extra-typings';
import { runFolderCommand, type FolderCommand, type Registrar } from './pipeline.js';
import { collect, integer, withCommonFlags } from './options.js';

const define = (program: Command) =>
  withCommonFlags(
    program
      .command('sensitivity')
      .description('which uncertain inputs drive a metric: a tornado (each input at a low and a high percentile), rank correlations and Sobol indices, on the same paths')
      .argument('<scenario>', 'scenario file'),
    'Monte Carlo paths per run',
    'sensitivity folder (default: reports/<name>-sensitivity)',
  )
    .option('--policy <name>', 'a compared policy to analyse (repeat for several; default: every compared policy)', collect)
    .option('--metric <name>', 'the metric to explain (default total_harm)')
    .option('--method <m>', 'tornado, rank, sobol or all (default all)')
    .option('--tornado-quantiles <lo,hi>', 'the percentiles of the tornado (default 0.1,0.9)')
    .option('--tornado-paths <n>', "paths of the tornado's passes, the first of the run's (default: --paths, at most 2,048)", integer('--tornado-paths', 2, MAX_PATHS))
    .option('--sobol-paths <n>', "paths per matrix of Saltelli's scheme for the Sobol indices (default: --paths, at most 1,024)", integer('--sobol-paths', 2, MAX_PATHS))
    .option('--setting <key=low,high>', "with the tornado: a setting at two values of the expert's choice (simulation.discount_rate, horizon_days or tail_days; repeat for several), shown apart from the inputs", collect);

export type SensitivityFlags = ReturnType<ReturnType<typeof define>['opts']>;

/** The tornado's passes (two per input and per setting), on its own paths. */
const tornadoRuns = (p: SensitivityPlan) => (p.methods.includes('tornado') ? 2 * p.inputs.length : 0) + 2 * p.settings.length;
/** Whether the tornado runs on fewer than the run's paths: the base then needs a pass of every path of its own. */
const tornadoOnFewer = (p: SensitivityPlan, paths: number) => tornadoRuns(p) > 0 && p.tornadoPaths < paths;
/** The passes before Saltelli's matrices: [paths of each, how many]. */
const passesOf = (p: SensitivityPlan, paths: number): [number, number][] => [
  ...(tornadoRuns(p) ? [[p.tornadoPaths, 1 + tornadoRuns(p)] as [number, number]] : []),
  ...(!tornadoRuns(p) || tornadoOnFewer(p, paths) ? [[paths, 1] as [number, number]] : []),
];
const described = (passes: [number, number][]) => passes.map(([paths, n]) => `${n} ${n === 1 ? 'pass' : 'passes'} of ${paths.toLocaleString('en-US')} paths`).join(', ');

export const sensitivityCommand: FolderCommand<SensitivityFlags, SensitivityPlan> = {
  name: 'sensitivity',
  folder: (name) => `${name}-sensitivity`,
  prepare: (loaded, flags, settings) => checkSensitivity(loaded, flags, settings.paths),
  estimate(loaded, p, settings) {
    const estimate = estimateRun(makePlan(loaded, { lastDayOnly: true }), settings.paths, settings.threads);
    const passes: [number, number][] = [...passesOf(p, settings.paths), ...(p.factors.length ? [[p.sobolPaths, p.factors.length + 2] as [number, number]] : [])];
    estimate.seconds = (estimate.seconds * passes.reduce((s, [paths, n]) => s + paths * n, 0)) / settings.paths;
    return { estimate, what: described(passes), advice: 'reduce --paths, --tornado-paths or --sobol-paths' };
  },
  announce(p, settings, estimate) {
    const sobolCost = p.factors.length ? `; Sobol indices: N (k + 2) = ${p.sobolPaths.toLocaleString('en-US')} x ${p.factors.length + 2} = ${(p.sobolPaths * (p.factors.length + 2)).toLocaleString('en-US')} paths` : '';
    return `accessgap: ${p.inputs.length} uncertain inputs; ${described(passesOf(p, settings.paths))} on the same paths${sobolCost} (about ${Math.ceil(estimate.seconds)} s)\n`;
  },
  async work({ loaded, prepared: p, settings, precision, signal, onProgress, finishProgress, started }) {
    const { json, simulateSeconds } = await runSensitivity(loaded, p, { ...settings, signal, onProgress }, precision);
    finishProgress();
    return buildSensitivityFiles(json, { threads: settings.threads, simulate_seconds: simulateSeconds, wall_seconds: (performance.now() - started) / 1000 });
  },
};

/**
 * A sensitivity analysis: every uncertain input's draws on the base run's paths, the passes (the
 * base and each input at its low and high percentile; Saltelli's matrices for Sobol) and their
 * analysis. The exhibit pack runs it too, for the policies that happened.
 */
export async function runSensitivity(loaded: LoadedScenario, p: SensitivityPlan, settings: PassSettings, precision?: PrecisionOutcome): Promise<{ json: SensitivityJson; simulateSeconds: number }> {
  // Every uncertain input's draw on every path run, and the tornado's values: its percentiles there.
  const draws = drawnValues(loaded.scenario, loaded.expressions, settings.seed, p.inputs.map((d) => d.id), settings.paths);
  const tornado = p.methods.includes('tornado') ? p.inputs.map((def, i) => ({ def, values: tornadoValues(draws[i], p.quantiles[0], p.quantiles[1], def.integer) })) : [];
  const variants = [
    new Map<number, number>(),
    ...tornado.flatMap(({ def, values: [lo, hi] }) => [new Map([[def.id, lo]]), new Map([[def.id, hi]])]),
    ...p.settings.flatMap(({ ref, values: [lo, hi] }) => [new Map([[ref, lo]]), new Map([[ref, hi]])]),
  ];
  // The tornado's passes (with their own base) run on its first paths; the base gets a pass of
  // every path when the tornado ran on fewer. Without a tornado, that pass is the study.
  const tornadoPaths = tornadoRuns(p) ? p.tornadoPaths : undefined;
  // Every pass holds the per-path values of the explained metric only.
  const keep = [p.metric];
  const study = await runStudy(loaded, variants, { ...settings, paths: tornadoPaths ?? settings.paths }, { keep });
  const base = tornadoOnFewer(p, settings.paths) ? await runStudy(loaded, [new Map()], settings, { keep }) : undefined;
  const saltelli = p.factors.length ? { runs: await runSaltelli(loaded, p.factors, { ...settings, paths: p.sobolPaths }, keep), factors: p.factors, paths: p.sobolPaths } : undefined;
  const json = sensitivityJson({ loaded, settings, metric: p.metric, methods: p.methods, quantiles: p.quantiles, policies: p.policies, inputs: p.inputs, draws, tornado, studiedSettings: p.settings, study, base, tornadoPaths, saltelli, precision });
  return { json, simulateSeconds: study.simulateSeconds + (base?.simulateSeconds ?? 0) + (saltelli?.runs.simulateSeconds ?? 0) };
}

export const registerSensitivity: Registrar = (program, io, setExit) => define(program).action(async (scenario, flags) => setExit(await runFolderCommand(sensitivityCommand, scenario, flags, io)));
