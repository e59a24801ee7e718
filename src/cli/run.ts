/** `accessgap run FILE`: simulate, then write the report folder atomically and print a table. */
import { runSimulation, shardBlocks, type RunResult } from '../engine/run.js';
import { runShard } from '../engine/shard.js';
import { makePlan } from '../engine/block.js';
import { estimateRun } from '../engine/guards.js';
import { buildReportFiles, earlyReport, pathsCsv } from '../report/files.js';
import { delayPoints, runDelaySweep } from '../study/delay.js';
import { choicesOf } from '../study/run.js';
import { oneMoreDayIsClear } from '../analysis/delay.js';
import { seriesRows } from '../analysis/run.js';
import { collectGarbage } from './memory.js';
import { allDraws, correlationDraws } from '../study/draws.js';
import { InvalidArgumentError, type Command } from '@commander-js/extra-typings';
import { runFolderCommand, type FolderCommand, type Registrar, type WorkContext } from './pipeline.js';
import { withCommonFlags, type CommonFlags } from './options.js';

const define = (program: Command) =>
  withCommonFlags(
    program.command('run').description('simulate a scenario and write its report folder').argument('<scenario>', 'scenario file (.yaml, .yml or .json)'),
    'Monte Carlo paths',
    'report folder (default: reports/<name>)',
    'run even when the estimated memory or time exceeds the limits (or paths.csv its size limit)',
  )
    .option('--save-paths', "also write paths.csv: every path's drawn inputs and every metric of every policy")
    .option('--shard <i/n>', "run only shard I of N of the paths' blocks and write its partial result (shard.agshard) for accessgap merge", shardFlag);

/** --shard I/N: 1 <= I <= N <= 4096. */
function shardFlag(value: string): [number, number] {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const [i, n] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(i >= 1 && n >= 1 && i <= n && n <= 4096)) throw new InvalidArgumentError(`expected --shard as I/N with 1 <= I <= N <= 4096, found "${value}"`);
  return [i, n];
}

export type RunFlags = ReturnType<ReturnType<typeof define>['opts']>;

/** Why a run to a stated precision cannot be split into shards (run --shard, submit). */
export const PRECISION_NOT_SHARDED = 'simulation.precision chooses the paths from the results, so the run cannot be sharded: give the paths with --paths';

/** paths.csv above this many bytes (estimated) is refused unless --allow-large. */
export const MAX_PATHS_CSV_BYTES = 512 * 1024 * 1024;

export const runCommand: FolderCommand<RunFlags, undefined> = {
  name: 'run',
  keepsThreads: true,
  folder: (name, flags) => (flags.shard ? `${name}-shard-${flags.shard[0]}-of-${flags.shard[1]}` : name),
  checkFlags(flags) {
    if (!flags.shard) return [];
    if (flags.redis) return ['run: --shard writes one shard for accessgap merge; --redis runs every shard on the queue: give one of them'];
    if (flags.precision !== undefined || flags.precisionAbs !== undefined || flags.maxPaths !== undefined) return ['run: --shard needs a fixed number of paths (--paths or simulation.paths); --precision chooses them from the results, so it cannot be sharded'];
    return flags.savePaths ? ['run: --save-paths is written by accessgap merge'] : [];
  },
  prepare(loaded, flags, settings) {
    if (flags.shard && loaded.scenario.simulation.precision !== undefined) return { problems: [PRECISION_NOT_SHARDED] };
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
    if (ctx.flags.shard) return runShardCommand(ctx, ctx.flags.shard);
    const { files, printed } = await simulateAndReport(ctx);
    return { files, printed };
  },
};

/** The file a shard's folder holds its partial result in. */
export const SHARD_FILE = 'shard.agshard';

/** run --shard I/N: simulate the shard's blocks and write their partial result (engine/shard.ts). */
async function runShardCommand({ loaded, settings, signal, onProgress, finishProgress }: WorkContext<RunFlags, undefined>, [index, count]: [number, number]) {
  const { bytes, paths, blocks } = await runShard(loaded, { ...settings, signal, onProgress }, index, count);
  finishProgress();
  const s = loaded.scenario;
  const files = new Map<string, string | Uint8Array>([[SHARD_FILE, bytes]]);
  const [first, end] = shardBlocks(settings.paths, index, count);
  const printed =
    end > first
      ? `Shard ${index} of ${count} of ${s.name}: blocks ${first} to ${end - 1} of ${blocks} (${paths.toLocaleString('en-US')} of ${settings.paths.toLocaleString('en-US')} paths), seed ${settings.seed}. Merge every shard with: accessgap merge PART...`
      : `Shard ${index} of ${count} of ${s.name}: no block (the run has ${blocks}), seed ${settings.seed}.`;
  return { files, printed };
}

/**
 * A run's work: simulate, the cost-of-delay exhibit, the report files (and paths.csv with
 * --save-paths). The exhibit pack renders the same document to PDF.
 */
export async function simulateAndReport(ctx: WorkContext<CommonFlags & { savePaths?: boolean }, undefined>) {
  // The command's worker threads (settings.kept) run the run, then stay for the exhibit's sweep.
  const result = await (ctx.settings.executor ?? runSimulation)(ctx.loaded, { ...ctx.settings, signal: ctx.signal, onProgress: ctx.onProgress });
  ctx.finishProgress();
  return reportRun(ctx, result);
}

/** What a run writes once its paths are simulated (here, or by shards that accessgap merge put together). */
export async function reportRun({ loaded, flags, settings, precision, signal, started }: Pick<WorkContext<CommonFlags & { savePaths?: boolean }, undefined>, 'loaded' | 'flags' | 'settings' | 'precision' | 'signal' | 'started'>, result: RunResult) {
  // The cost-of-delay exhibit: a small duration sweep on a twentieth of the paths (src/study/delay.ts).
  // It is small (often one block, on one thread); once it is handed to the threads (a turn of the
  // event loop), this thread builds the parts of the report that do not depend on it: the summary
  // without it, and the charts that do not show it, drawn (their PNGs on libuv's threads).
  const sweep = runDelaySweep(loaded, { ...settings, signal }, choicesOf(result), oneMoreDayIsClear);
  sweep.catch(() => {}); // awaited below; an early failure is not unhandled meanwhile
  await new Promise((resolve) => setImmediate(resolve));
  const correlated = correlationDraws(loaded, settings.seed, settings.paths);
  const series = seriesRows(result);
  const { early, drawn } = earlyReport(loaded, result, { precision, correlated, series }, delayPoints(loaded, settings.seed, settings.paths) !== undefined);
  // The report has read the series it shows (their rows, and the solvent firms' revenue its charts
  // show): the run's sketch grid (about 140 MB at 1,000,000 paths on the default scenario) goes now,
  // with what the threads sent to build it, before the charts' drawing grows the heap.
  result.sketches.release();
  collectGarbage();
  const [delay] = await Promise.all([sweep, drawn]);
  result.timing.wall_seconds = (performance.now() - started) / 1000;
  const report = await buildReportFiles(loaded, result, { delay, precision, correlated, series }, early);
  if (flags.savePaths) report.files.set('paths.csv', pathsCsv(loaded, result, allDraws(loaded, settings.seed, settings.paths)));
  return report;
}

export const registerRun: Registrar = (program, io, setExit) => define(program).action(async (scenario, flags) => setExit(await runFolderCommand(runCommand, scenario, flags, io)));
