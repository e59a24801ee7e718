/** `accessgap run FILE`: simulate, then write the report folder atomically and print a table. */
import { join } from 'node:path';
import { defaultThreads, runSimulation } from '../engine/run.js';
import { makePlan } from '../engine/block.js';
import { estimateRun } from '../engine/guards.js';
import { buildReportFiles, pathsCsv } from '../report/files.js';
import { costOfDelay } from '../study/delay.js';
import { formatTable } from '../report/summary.js';
import { EXIT, loadOrReport, type Io } from './io.js';
import { checkBeforeStart, choosePaths, runAndWrite, type CommonFlags } from './folder-command.js';

export interface RunFlags extends CommonFlags {
  savePaths?: boolean;
}

/** paths.csv above this many bytes (estimated) is refused unless --allow-large. */
export const MAX_PATHS_CSV_BYTES = 512 * 1024 * 1024;

export async function runCommand(file: string, flags: RunFlags, io: Io): Promise<number> {
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const sim = loaded.scenario.simulation;
  const settings = { paths: flags.paths ?? sim.paths, seed: flags.seed ?? sim.seed, threads: flags.threads ?? defaultThreads() };
  const out = flags.out ?? join('reports', loaded.scenario.name);
  const plan = makePlan(loaded);
  const estimate = estimateRun(plan, settings.paths, settings.threads);
  const what = `${settings.paths.toLocaleString('en-US')} paths on ${settings.threads} thread(s)`;
  if (!(await checkBeforeStart(io, file, out, estimate, flags.allowLarge, what, 'reduce --paths, simulation.horizon_days or the compared policies, raise simulation.series_step_days'))) return EXIT.invalid;
  if (flags.savePaths) {
    const columns = 1 + loaded.scenario.inputs.length + plan.policies.length * plan.metrics.length;
    const bytes = settings.paths * columns * 14;
    if (bytes > MAX_PATHS_CSV_BYTES && !flags.allowLarge) {
      io.err(`accessgap: ${file}: --save-paths would write about ${Math.round(bytes / 2 ** 20)} MiB (${settings.paths.toLocaleString('en-US')} rows of ${columns} columns; the limit is ${MAX_PATHS_CSV_BYTES / 2 ** 20} MiB); reduce --paths, or pass --allow-large\n`);
      return EXIT.invalid;
    }
  }
  return runAndWrite(io, flags, 'run', file, out, async ({ signal, onProgress, finishProgress }) => {
    const started = performance.now();
    // To a stated precision: find the paths needed (pilot runs), then run exactly that many.
    const precision = await choosePaths(loaded, flags, settings, { signal, onProgress });
    if (precision) settings.paths = precision.paths;
    const result = await runSimulation(loaded, { ...settings, signal, onProgress });
    if (precision) result.precision = precision;
    finishProgress();
    // The cost-of-delay exhibit: a small duration sweep on a twentieth of the paths (src/study/delay.ts).
    const delay = await costOfDelay(loaded, { ...settings, signal });
    result.timing.wall_seconds = (performance.now() - started) / 1000;
    result.timing.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    const { files, summary } = await buildReportFiles(loaded, result, delay);
    if (flags.savePaths) files.set('paths.csv', pathsCsv(loaded, result));
    return { files, printed: formatTable(summary) };
  });
}
