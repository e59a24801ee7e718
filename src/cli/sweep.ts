/**
 * `accessgap sweep FILE --vary KEY=VALUES [--vary KEY2=VALUES] | --durations LIST`: the same paths
 * run at every point of one input (a curve) or two (a grid); every other input keeps its
 * distribution. Writes sweep.json, sweep.csv, marginal.csv (one input), charts, summary.md and
 * report.html into reports/<name>-sweep/, atomically, like `run`.
 *
 *   --vary specs -> axes (validated) -> variants -> runStudy (src/study) -> analysis/sweep.ts
 *                -> files (report/sweep.ts) -> writeFolderAtomically
 */
import { join } from 'node:path';
import { runStudy, type Variant } from '../study/run.js';
import { sweepPoints, type SweepAxis } from '../analysis/sweep.js';
import { buildSweepFiles, sweepTable } from '../report/sweep.js';
import { estimateRun } from '../engine/guards.js';
import { makePlan } from '../engine/block.js';
import { defaultThreads } from '../engine/run.js';
import { describeRange, inRange } from '../scenario/spec.js';
import { drawnValues } from '../sampling/draw.js';
import { closest } from '../scenario/problems.js';
import type { LoadedScenario } from '../scenario/load.js';
import { EXIT, loadOrReport, type Io } from './io.js';
import { checkBeforeStart, choosePaths, runAndWrite, type CommonFlags } from './folder-command.js';

export interface SweepFlags extends CommonFlags {
  vary?: string[];
  durations?: string;
}

/** Most points a sweep may have (all axes together). */
export const MAX_POINTS = 400;

/** Parses `lo:hi:step` or a comma list into numbers, or says what is wrong. */
export function parseValues(text: string): number[] | string {
  const t = text.trim();
  if (t === '') return 'an empty list of values';
  const range = /^(-?[\d.e+-]+):(-?[\d.e+-]+):([\d.e+-]+)$/i.exec(t);
  if (range) {
    const [lo, hi, step] = range.slice(1).map(Number);
    if (![lo, hi, step].every(Number.isFinite)) return `"${t}" is not lo:hi:step with numbers`;
    if (!(step > 0)) return `the step of "${t}" must be above 0`;
    if (hi < lo) return `"${t}" goes down (hi below lo)`;
    const n = Math.floor((hi - lo) / step + 1e-9) + 1;
    if (n > MAX_POINTS) return `"${t}" has ${n} points (at most ${MAX_POINTS})`;
    return Array.from({ length: n }, (_, i) => Number((lo + i * step).toPrecision(12)));
  }
  const parts = t.split(',').map((x) => x.trim());
  const bad = parts.find((x) => x === '' || !Number.isFinite(Number(x)));
  if (bad !== undefined) return bad === '' ? `an empty value in "${t}"` : `"${bad}" is not a number`;
  return parts.map(Number);
}

/** One --vary KEY=VALUES against the scenario: an axis, or the problem in words. */
export function parseAxis(spec: string, loaded: LoadedScenario): SweepAxis | string {
  const eq = spec.indexOf('=');
  if (eq <= 0) return `--vary ${spec}: expected KEY=VALUES (for example revocation.duration_days=0,30,90 or firm.cash=100000:500000:100000)`;
  const key = spec.slice(0, eq).trim();
  const inputs = loaded.scenario.inputs;
  const def = inputs.find((d) => d.key === key);
  if (!def) {
    const settings = ['simulation.', 'revocation.start_day', 'countries_of_concern', 'compare', 'name', 'title', 'currency'];
    const isSetting = settings.some((x) => key.startsWith(x)) || /\.(headcount|nationality|location|us_person|max_rounds|approval_probability|restrict|description)$/.test(key);
    if (isSetting) return `--vary ${key}: expected an input (a number or distribution drawn per path), found a setting; change it in the file instead`;
    const near = closest(key, inputs.map((d) => d.key));
    return `--vary ${key}: expected the key path of an input, found an unknown key${near ? ` (did you mean "${near}"?)` : ''}`;
  }
  const values = parseValues(spec.slice(eq + 1));
  if (typeof values === 'string') return `--vary ${key}: expected a comma list or lo:hi:step of numbers, found ${values}`;
  // Day counts: whole days from 0 (a file may write a negative one, floored at 0; a sweep point may not).
  const range = def.integer ? { ...def.range, min: Math.max(def.range.min ?? 0, 0) } : def.range;
  const out = values.find((x) => !inRange(x, range));
  if (out !== undefined) return `--vary ${key}: expected values ${describeRange(range)}${def.integer ? ' (days)' : ''}, found ${out}`;
  if (new Set(values).size !== values.length) return `--vary ${key}: expected distinct values, found a value twice`;
  return { key, id: def.id, points: values };
}

/** The median of an input's per-path values over the first paths of the run (where statements are made). */
function medianOf(loaded: LoadedScenario, id: number, seed: number, paths: number): number {
  const n = Math.min(paths, 4000);
  const [xs] = drawnValues(loaded.scenario, loaded.expressions, seed, [id], n);
  xs.sort();
  return n % 2 ? xs[(n - 1) / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

export async function sweepCommand(file: string, flags: SweepFlags, io: Io): Promise<number> {
  const specs = [...(flags.vary ?? []), ...(flags.durations !== undefined ? [`revocation.duration_days=${flags.durations}`] : [])];
  if (specs.length === 0) {
    io.err('accessgap: sweep: expected --vary KEY=VALUES (once or twice) or --durations LIST\n');
    return EXIT.invalid;
  }
  if (specs.length > 2) {
    io.err(`accessgap: sweep: expected at most two varied inputs (a curve or a grid), found ${specs.length}\n`);
    return EXIT.invalid;
  }
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const axes: SweepAxis[] = [];
  const problems: string[] = [];
  for (const spec of specs) {
    const axis = parseAxis(spec, loaded);
    if (typeof axis === 'string') problems.push(axis);
    else axes.push(axis);
  }
  if (axes.length === 2 && axes[0].key === axes[1].key) problems.push(`--vary ${axes[0].key}: expected two different inputs, found the same twice`);
  const points = sweepPoints(axes);
  if (points.length > MAX_POINTS) problems.push(`sweep: expected at most ${MAX_POINTS} points, found ${points.length}`);
  if (problems.length) {
    io.err(problems.map((p) => `accessgap: ${file}: ${p}\n`).join(''));
    return EXIT.invalid;
  }
  const sim = loaded.scenario.simulation;
  const settings = { paths: flags.paths ?? sim.paths, seed: flags.seed ?? sim.seed, threads: flags.threads ?? defaultThreads() };
  const out = flags.out ?? join('reports', `${loaded.scenario.name}-sweep`);
  // The guards: a sweep costs at most one run per point.
  const estimate = estimateRun(makePlan(loaded, { lastDayOnly: true }), settings.paths, settings.threads);
  estimate.seconds *= points.length;
  if (!(await checkBeforeStart(io, file, out, estimate, flags.allowLarge, `${points.length} points of ${settings.paths.toLocaleString('en-US')} paths`, 'reduce --paths or the points'))) return EXIT.invalid;
  const variants: Variant[] = points.map((p) => new Map(p.map((x, a) => [axes[a].id, x])));
  return runAndWrite(io, flags, 'sweep', file, out, async ({ signal, onProgress, finishProgress }) => {
    const started = performance.now();
    const precision = await choosePaths(loaded, flags, settings, { signal, onProgress });
    if (precision) settings.paths = precision.paths;
    const study = await runStudy(loaded, variants, { ...settings, signal, onProgress });
    finishProgress();
    const median = medianOf(loaded, axes[0].id, settings.seed, settings.paths);
    const { files, json } = await buildSweepFiles(loaded, axes, points, study, { ...settings, wallSeconds: (performance.now() - started) / 1000, median, precision });
    return { files, printed: sweepTable(json) };
  });
}
