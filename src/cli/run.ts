/** `accessgap run FILE`: simulate, then write the report folder atomically and print a table. */
import { runSimulation } from '../engine/run.js';
import { makePlan } from '../engine/block.js';
import { estimateRun } from '../engine/guards.js';
import { buildReportFiles, pathsCsv } from '../report/files.js';
import { runDelaySweep } from '../study/delay.js';
import { choicesOf } from '../study/run.js';
import { oneMoreDayIsClear } from '../analysis/delay.js';
import { allDraws, correlationDraws } from '../study/draws.js';
import type { Command } from '@commander-js/extra-typings';
import { runFolderCommand, type FolderCommand, type Registrar, type WorkContext } from './pipeline.js';
import { withCommonFlags, type CommonFlags } from './options.js';

const define = (program: Command) =>
  withCommonFlags(
    program.command('run').description('simulate a scenario and write its report folder').argument('<scenario>', 'scenario file (.yaml, .yml or .json)'),
    'Monte Carlo paths',
    'report folder (default: reports/<name>)',
    'run even when the estimated memory or time exceeds the limits (or paths.csv its size limit)',
  ).option('--save-paths', "also write paths.csv: every path's drawn inputs and every metric of every policy");

export type RunFlags = ReturnType<ReturnType<typeof define>['opts']>;

/** paths.csv above this many bytes (estimated) is refused unless --allow-large. */
export const MAX_PATHS_CSV_BYTES = 512 * 1024 * 1024;

export const runCommand: FolderCommand<RunFlags, undefined> = {
  name: 'run',
  folder: (name) => name,
  prepare(loaded, flags, settings) {
    if (!flags.savePaths || flags.allowLarge) return undefined;
    const plan = makePlan(loaded);
    const columns = 1 + loaded.scenario.inputs.length + plan.policies.length * plan.metrics.length;
    const bytes = settings.paths * columns * 14;
    if (bytes <= MAX_PATHS_CSV_BYTES) return undefined;
    return { problems: [`--save-paths would write about ${Math.round(bytes / 2 ** 20)} MiB (${settings.paths.toLocaleString('en-US')} rows of ${columns} columns; the limit is ${MAX_PATHS_CSV_BYTES / 2 ** 20} MiB); reduce --paths, or pass --allow-large`] };
  },
  estimate: (loaded, _prepared, settings) => ({
    estimate: estimateRun(makePlan(loaded, { attribution: true }), settings.paths, settings.threads),
    what: `${settings.paths.toLocaleString('en-US')} paths on ${settings.threads} thread(s)`,
    advice: 'reduce --paths, simulation.horizon_days or the compared policies, raise simulation.series_step_days',
  }),
  work: async (ctx) => {
    const { files, printed } = await simulateAndReport(ctx);
    return { files, printed };
  },
};

/**
 * A run's work: simulate, the cost-of-delay exhibit, the report files (and paths.csv with
 * --save-paths). The exhibit pack renders the same document to PDF.
 */
export async function simulateAndReport({ loaded, flags, settings, precision, signal, onProgress, finishProgress, started }: WorkContext<CommonFlags & { savePaths?: boolean }, undefined>) {
  const result = await runSimulation(loaded, { ...settings, signal, onProgress });
  finishProgress();
  // The cost-of-delay exhibit: a small duration sweep on a twentieth of the paths (src/study/delay.ts).
  const delay = await runDelaySweep(loaded, { ...settings, signal }, choicesOf(result), oneMoreDayIsClear);
  result.timing.wall_seconds = (performance.now() - started) / 1000;
  result.timing.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  const report = await buildReportFiles(loaded, result, { delay, precision, correlated: correlationDraws(loaded, settings.seed, settings.paths) });
  if (flags.savePaths) report.files.set('paths.csv', pathsCsv(loaded, result, allDraws(loaded, settings.seed, settings.paths)));
  return report;
}

export const registerRun: Registrar = (program, io, setExit) => define(program).action(async (scenario, flags) => setExit(await runFolderCommand(runCommand, scenario, flags, io)));
