/** `accessgap run FILE`: simulate, then write the report folder atomically and print a table. */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { PathError } from '../sampling/draw.js';
import { defaultThreads, RunAborted, runSimulation } from '../engine/run.js';
import { makePlan } from '../engine/block.js';
import { estimateRun, refusal } from '../engine/guards.js';
import { buildReportFiles } from '../report/files.js';
import { costOfDelay } from '../study/delay.js';
import { checkOutputFolder, OutputError, pendingTemporaries, writeFolderAtomically } from '../output/folder.js';
import { formatTable } from '../report/summary.js';
import { EXIT, loadOrReport, type Io } from './io.js';
import { makeProgress } from './progress.js';

export interface RunFlags {
  paths?: number;
  seed?: number;
  out?: string;
  threads?: number;
  quiet?: boolean;
  allowLarge?: boolean;
}

export async function runCommand(file: string, flags: RunFlags, io: Io): Promise<number> {
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const sim = loaded.scenario.simulation;
  const settings = { paths: flags.paths ?? sim.paths, seed: flags.seed ?? sim.seed, threads: flags.threads ?? defaultThreads() };
  const out = flags.out ?? join('reports', loaded.scenario.name);
  try {
    await checkOutputFolder(out);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    io.err(`accessgap: ${e.message}\n`);
    return EXIT.invalid;
  }
  const estimate = estimateRun(makePlan(loaded), settings.paths, settings.threads);
  const refused = refusal(estimate);
  if (refused && !flags.allowLarge) {
    io.err(`accessgap: ${file}: ${refused} for ${settings.paths.toLocaleString('en-US')} paths on ${settings.threads} thread(s); reduce --paths, simulation.horizon_days or the compared policies, raise simulation.series_step_days, or pass --allow-large to run anyway\n`);
    return EXIT.invalid;
  }

  // Ctrl-C: stop the workers, remove temporaries, keep any earlier report, exit 130.
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const progress = makeProgress(io, !flags.quiet);
  const started = performance.now();
  try {
    const result = await runSimulation(loaded, { ...settings, signal: abort.signal, onProgress: progress.update });
    progress.finish();
    // The cost-of-delay exhibit: a small duration sweep on a twentieth of the paths (src/study/delay.ts).
    const delay = await costOfDelay(loaded, { ...settings, signal: abort.signal });
    result.timing.wall_seconds = (performance.now() - started) / 1000;
    result.timing.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    const { files, summary } = await buildReportFiles(loaded, result, delay);
    if (abort.signal.aborted) throw new RunAborted();
    await writeFolderAtomically(out, files, 'run');
    if (!flags.quiet) io.out(`${formatTable(summary)}\n\nReport: ${out}/ (${files.size} files)\n`);
    return EXIT.ok;
  } catch (e) {
    progress.finish();
    if (e instanceof RunAborted) {
      for (const tmp of pendingTemporaries) rmSync(tmp, { recursive: true, force: true });
      io.err('accessgap: interrupted; no report written (any earlier report is unchanged)\n');
      return EXIT.interrupted;
    }
    if (e instanceof PathError) {
      io.err(
        `accessgap: run failed on ${e.message}\n  inputs of that path: ${JSON.stringify(e.inputs)}\n  inspect that path alone: accessgap trace ${file} --path ${e.path} --seed ${e.seed}\n  no report written (any earlier report is unchanged)\n`,
      );
      return EXIT.failure;
    }
    if (e instanceof OutputError) {
      io.err(`accessgap: ${e.message}\n`);
      return EXIT.invalid;
    }
    io.err(`accessgap: run failed: ${(e as Error).message}\n  no report written (any earlier report is unchanged)\n`);
    return EXIT.failure;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
