/**
 * `accessgap exhibits SCENARIO`: the run's report folder plus the exhibit pack, exhibits.pdf
 * (report/render/pdf.ts: the run's document with every chart a numbered exhibit on its own page,
 * page numbers and the scenario's SHA-256 prefix on every page) and exhibits.docx (the same
 * document as an editable Word file, charts as 300 dpi PNGs), into reports/<name>-exhibits/.
 * It is the run's pipeline and work with one more renderer of the same document.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import type { SummaryJson } from '../analysis/run.js';
import type { Chart } from '../charts/specs.js';
import { checkOutputFolder, OutputError, writeFolderAtomically } from '../output/folder.js';
import { documentCharts, type StaticSvg } from '../report/document.js';
import { exhibitDocument, focusPolicies, injunctionCsv, packHeader, type PackData } from '../report/exhibits.js';
import { runRestoreStudy } from '../study/restore.js';
import { checkSensitivity } from './sensitivity-flags.js';
import { runSensitivity } from './sensitivity.js';
import { sensitivityCharts } from '../charts/sensitivity.js';
import { addChartFiles } from '../charts/render.js';
import { tornadoCsv } from '../report/sensitivity.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { PassSettings } from '../study/passes.js';
import { timingJson } from '../report/timing.js';
import { restoreJson } from '../analysis/restore.js';
import { chosenOptions, pnlByYear, pnlCsv } from '../analysis/annual.js';
import { defaultThreads } from '../engine/run.js';
import { SCENARIO_COPIES } from '../report/reproduce.js';
import { parseScenario } from '../scenario/load.js';
import { ScenarioError } from '../scenario/problems.js';
import { EXIT, type Io } from './io.js';
import { folderProblem } from './messages.js';
import { folderSvgs } from '../report/render/html.js';
import { renderPdf } from '../report/render/pdf.js';
import { renderDocx } from '../report/render/docx.js';
import { svgSize, svgToPng } from '../charts/render.js';
import { withCommonFlags } from './options.js';
import { runFolderCommand, type FolderCommand, type Registrar } from './pipeline.js';
import { runCommand, simulateAndReport } from './run.js';

const define = (program: Command) =>
  withCommonFlags(
    program.command('exhibits').description('run a scenario and write its exhibit pack (exhibits.pdf, exhibits.docx) with the report folder; or, given a finished run\'s folder, the pack from it').argument('<scenario>', 'scenario file (.yaml, .yml or .json), or a report folder written by run'),
    'Monte Carlo paths',
    'pack folder (default: reports/<name>-exhibits)',
  );

/** Print width of a chart in Word (inches) and the resolution its PNG is drawn at. */
const PRINT_INCHES = 6.5;
const DPI = 300;

/** A chart's PNG at 300 dpi for its printed width, from its SVG. */
async function printPng(svg: string | undefined): Promise<{ png: Uint8Array; width: number; height: number } | undefined> {
  if (!svg) return undefined;
  const [w, h] = svgSize(svg);
  const scale = (PRINT_INCHES * DPI) / w;
  return { png: await svgToPng(svg, scale), width: Math.round(w * scale), height: Math.round(h * scale) };
}

export type ExhibitFlags = ReturnType<ReturnType<typeof define>['opts']>;

export const exhibitsCommand: FolderCommand<ExhibitFlags, undefined> = {
  name: 'exhibits',
  keepsThreads: true,
  folder: (name) => `${name}-exhibits`,
  prepare: () => undefined,
  estimate: (loaded, prepared, settings) => runCommand.estimate(loaded, prepared, settings),
  async work(ctx) {
    const { files, printed, summary, charts, timing } = await simulateAndReport(ctx);
    // The run's kept threads end here: the pack's studies start threads of their own that end with
    // their passes (see FolderCommand.keepsThreads).
    ctx.settings.kept?.stop();
    const t0 = performance.now();
    // The pack's own passes report progress too (a plain line at least every 30 s off a terminal).
    const studies = await packStudies(ctx.loaded, summary, { ...ctx.settings, kept: undefined, signal: ctx.signal, onProgress: ctx.onProgress });
    ctx.finishProgress();
    const t1 = performance.now();
    await addPack(files, { scenario: ctx.loaded.scenario, summary, charts, ...studies.data }, folderSvgs(files));
    const t2 = performance.now();
    // What the pack adds, in timing.json (the one file that may depend on the machine).
    files.set('timing.json', timingJson({ ...timing, run_wall_seconds: timing.wall_seconds, ...studies.seconds, pack_studies_seconds: (t1 - t0) / 1000, pack_documents_seconds: (t2 - t1) / 1000, wall_seconds: (t2 - ctx.started) / 1000 }));
    return { files, printed };
  },
};

/** Paths of the pack's tornado: a fifth of the run's, at least 1,000 (all of a smaller run), at most 4,000. */
export const packSensitivityPaths = (paths: number) => Math.min(paths, Math.max(1_000, Math.min(4_000, Math.round(paths / 5))));

/**
 * What the pack simulates beyond the run, for the policies that happened, on the run's seed: the
 * injunction dates (src/study/restore.ts) on the run's paths, the tornado (accessgap sensitivity
 * --method tornado) on packSensitivityPaths of them, and P&L and cash by year
 * (analysis/annual.ts) on the run's paths.
 */
async function packStudies(loaded: LoadedScenario, summary: SummaryJson, settings: PassSettings) {
  const focus = focusPolicies(summary);
  const started = performance.now();
  const restore = await runRestoreStudy(loaded, settings, focus);
  const afterRestore = performance.now();
  const paths = packSensitivityPaths(settings.paths);
  const plan = checkSensitivity(loaded, { policy: focus, method: 'tornado', tornadoPaths: paths }, paths);
  let sensitivity: PackData['sensitivity'];
  if (!('problems' in plan) && plan.inputs.length > 0) {
    const { json } = await runSensitivity(loaded, plan, { ...settings, paths, common: { compare: loaded.scenario.compare.filter((p) => focus.includes(p)) } });
    sensitivity = { json, charts: sensitivityCharts(json) };
  }
  const afterSensitivity = performance.now();
  const pnl = pnlByYear(loaded, settings, focus, chosenOptions(summary));
  return {
    data: { ...(restore ? { restore: restoreJson(restore) } : {}), ...(sensitivity ? { sensitivity } : {}), pnl },
    seconds: { injunction_seconds: (afterRestore - started) / 1000, sensitivity_seconds: (afterSensitivity - afterRestore) / 1000, pnl_seconds: (performance.now() - afterSensitivity) / 1000 },
  };
}

/**
 * The pack: its document rendered to PDF and Word from the charts' SVGs (the tornado's drawn here),
 * and the numbers behind its own exhibits: injunction.csv, tornado.csv and sensitivity.json.
 */
async function addPack(files: Map<string, string | Uint8Array>, data: PackData, svgOf: StaticSvg): Promise<void> {
  if (data.sensitivity) {
    await addChartFiles(files, data.sensitivity.charts);
    files.set('sensitivity.json', JSON.stringify(data.sensitivity.json, null, 1) + '\n');
    files.set('tornado.csv', tornadoCsv(data.sensitivity.json));
  }
  const doc = exhibitDocument(data);
  const { summary, scenario } = data;
  const header = packHeader(scenario);
  const svg: StaticSvg = (name) => {
    const own = files.get(`charts/${name}.svg`);
    return own === undefined ? svgOf(name) : typeof own === 'string' ? own : new TextDecoder().decode(own);
  };
  files.set('exhibits.pdf', await renderPdf(doc, { svgOf: svg, header, footer: `Scenario ${summary.scenario.name}, sha256 ${summary.scenario.sha256.slice(0, 8)}` }));
  const pngs = new Map<string, Awaited<ReturnType<typeof printPng>>>();
  for (const { name } of documentCharts(doc)) if (!pngs.has(name)) pngs.set(name, await printPng(svg(name)));
  files.set('exhibits.docx', await renderDocx(doc, { header, pngOf: (name) => pngs.get(name) }));
  if (data.restore) files.set('injunction.csv', injunctionCsv(data.restore));
  if (data.pnl) files.set('pnl.csv', pnlCsv(data.pnl));
}

/**
 * `accessgap exhibits REPORT_DIR`: the pack from a finished run's folder (its summary.json, its copy
 * of the scenario and its charts), without simulating again: the same document, so the same bytes
 * as the pack a run of that scenario, seed and paths writes.
 */
export async function packFromFolder(dir: string, flags: { out?: string; quiet?: boolean; threads?: number }, io: Io): Promise<number> {
  const fail = (text: string) => (io.err(folderProblem(`${dir}: ${text}`)), EXIT.invalid);
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name)) : undefined);
  const raw = read('summary.json');
  if (!raw) return fail('expected a report folder written by accessgap run (with summary.json), found none');
  let summary: SummaryJson;
  try {
    summary = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    return fail(`summary.json: expected JSON, found ${(e as Error).message}`);
  }
  if (summary.schema !== 'accessgap/summary@3') return fail(`summary.json: schema: expected "accessgap/summary@3", found ${JSON.stringify(summary.schema)}`);
  const copy = SCENARIO_COPIES.map(read).find(Boolean);
  if (!copy) return fail('expected the copy of the scenario a run keeps (scenario.yaml or scenario.json), found none');
  let loaded;
  try {
    loaded = await parseScenario(copy, summary.scenario.file);
  } catch (e) {
    if (e instanceof ScenarioError) return fail(`its scenario copy does not load: ${e.message}`);
    throw e;
  }
  const chartDir = join(dir, 'charts');
  const charts: Chart[] = (existsSync(chartDir) ? readdirSync(chartDir) : [])
    .filter((f) => f.endsWith('.vl.json'))
    .map((f) => {
      const spec = JSON.parse(readFileSync(join(chartDir, f), 'utf8'));
      const [, n, title] = /^Figure (\d+)\. (.*)$/.exec(spec.title?.text ?? '') ?? [, '0', f];
      return { name: f.replace(/\.vl\.json$/, ''), title, spec, n: Number(n) };
    })
    .sort((a, b) => a.n - b.n)
    .map(({ name, title, spec }) => ({ name, title, spec }));
  const out = flags.out ?? join('reports', `${summary.scenario.name}-exhibits`);
  try {
    await checkOutputFolder(out);
    const files = new Map<string, string | Uint8Array>();
    const svgOf: StaticSvg = (name) => read(`charts/${name}.svg`)?.toString('utf8');
    const studies = await packStudies(loaded, summary, { paths: summary.run.paths, seed: summary.run.seed, threads: flags.threads ?? defaultThreads() });
    // A pack's folder holds the pack's own charts (the tornado) beside the run's: the run's are the others.
    const own = new Set(studies.data.sensitivity?.charts.map((c) => c.name) ?? []);
    await addPack(files, { scenario: loaded.scenario, summary, charts: charts.filter((c) => !own.has(c.name)), ...studies.data }, svgOf);
    await writeFolderAtomically(out, files, 'exhibits');
  } catch (e) {
    if (e instanceof OutputError) return (io.err(folderProblem(e.message)), EXIT.invalid);
    throw e;
  }
  if (!flags.quiet) io.out(`Exhibit pack of ${dir}: ${out}/ (exhibits.pdf, exhibits.docx)\n`);
  return EXIT.ok;
}

export const registerExhibits: Registrar = (program, io, setExit) =>
  define(program).action(async (input, flags) => setExit(existsSync(input) && statSync(input).isDirectory() ? await packFromFolder(input, flags, io) : await runFolderCommand(exhibitsCommand, input, flags, io)));
