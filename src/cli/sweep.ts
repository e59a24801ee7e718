/**
 * `accessgap sweep FILE --vary KEY=VALUES [--vary KEY2=VALUES] | --durations LIST`: the same paths
 * run at every point of one input (a curve) or two (a grid); every other input keeps its
 * distribution. Writes sweep.json, sweep.csv, marginal.csv (one input), charts, summary.md and
 * report.html into reports/<name>-sweep/, atomically, like `run`.
 *
 *   --vary specs -> axes (axes.ts) -> variants -> runStudy (src/study) -> analysis/sweep.ts
 *                -> files (report/sweep.ts) -> the pipeline writes them
 */
import { runStudy, type Variant } from '../study/run.js';
import { sweepPoints, type SweepAxis } from '../analysis/sweep.js';
import { buildSweepFiles } from '../report/sweep.js';
import { estimateRun } from '../engine/guards.js';
import { makePlan } from '../engine/block.js';
import { MAX_POINTS, medianOf, parseAxis } from './axes.js';
import type { Command } from '@commander-js/extra-typings';
import { runFolderCommand, type FolderCommand, type Registrar } from './pipeline.js';
import { collect, withCommonFlags } from './options.js';

const define = (program: Command) =>
  withCommonFlags(
    program.command('sweep').description('run the same paths at every point of one input (a curve) or two (a grid), and write the sweep folder').argument('<scenario>', 'scenario file'),
    'Monte Carlo paths at each point',
    'sweep folder (default: reports/<name>-sweep)',
  )
    .option('--vary <key=values>', 'an input by its key path and its points: a comma list or lo:hi:step (once, or twice for a grid)', collect)
    .option('--durations <list>', 'shorthand for --vary revocation.duration_days=<list>');

export type SweepFlags = ReturnType<ReturnType<typeof define>['opts']>;

const specsOf = (flags: SweepFlags) => [...(flags.vary ?? []), ...(flags.durations !== undefined ? [`revocation.duration_days=${flags.durations}`] : [])];

export const sweepCommand: FolderCommand<SweepFlags, { axes: SweepAxis[]; points: number[][] }> = {
  name: 'sweep',
  folder: (name) => `${name}-sweep`,
  checkFlags(flags) {
    const n = specsOf(flags).length;
    if (n === 0) return ['sweep: expected --vary KEY=VALUES (once or twice) or --durations LIST'];
    return n > 2 ? [`sweep: expected at most two varied inputs (a curve or a grid), found ${n}`] : [];
  },
  prepare(loaded, flags) {
    const parsed = specsOf(flags).map((spec) => parseAxis(spec, loaded));
    const problems = parsed.filter((a): a is string => typeof a === 'string');
    const axes = parsed.filter((a): a is SweepAxis => typeof a !== 'string');
    if (axes.length === 2 && axes[0].key === axes[1].key) problems.push(`--vary ${axes[0].key}: expected two different inputs, found the same twice`);
    const points = sweepPoints(axes);
    if (points.length > MAX_POINTS) problems.push(`sweep: expected at most ${MAX_POINTS} points, found ${points.length}`);
    return problems.length ? { problems } : { axes, points };
  },
  estimate(loaded, { points }, settings) {
    // A sweep costs at most one run per point.
    const estimate = estimateRun(makePlan(loaded, { lastDayOnly: true }), settings.paths, settings.threads);
    estimate.seconds *= points.length;
    return { estimate, what: `${points.length} points of ${settings.paths.toLocaleString('en-US')} paths`, advice: 'reduce --paths or the points' };
  },
  async work({ loaded, prepared: { axes, points }, settings, precision, signal, onProgress, finishProgress, started }) {
    const variants: Variant[] = points.map((p) => new Map(p.map((x, a) => [axes[a].id, x])));
    const study = await runStudy(loaded, variants, { ...settings, signal, onProgress });
    finishProgress();
    const median = medianOf(loaded, axes[0].id, settings.seed, settings.paths);
    return buildSweepFiles(loaded, axes, points, study, { ...settings, wallSeconds: (performance.now() - started) / 1000, median, precision });
  },
};

export const registerSweep: Registrar = (program, io, setExit) => define(program).action(async (scenario, flags) => setExit(await runFolderCommand(sweepCommand, scenario, flags, io)));
