/**
 * `accessgap exhibits SCENARIO`: the run's report folder plus the exhibit pack, exhibits.pdf
 * (report/render/pdf.ts: the run's document with every chart a numbered exhibit on its own page,
 * page numbers and the scenario's SHA-256 prefix on every page) and exhibits.docx (the same
 * document as an editable Word file, charts as 300 dpi PNGs), into reports/<name>-exhibits/.
 * It is the run's pipeline and work with one more renderer of the same document.
 */
import type { Command } from '@commander-js/extra-typings';
import { folderSvgs } from '../report/render/html.js';
import { renderPdf } from '../report/render/pdf.js';
import { renderDocx } from '../report/render/docx.js';
import { svgSize, svgToPng } from '../charts/render.js';
import { withCommonFlags } from './options.js';
import { runFolderCommand, type FolderCommand, type Registrar } from './pipeline.js';
import { runCommand, simulateAndReport } from './run.js';

const define = (program: Command) =>
  withCommonFlags(
    program.command('exhibits').description('run a scenario and write its exhibit pack (exhibits.pdf, exhibits.docx) with the report folder').argument('<scenario>', 'scenario file (.yaml, .yml or .json)'),
    'Monte Carlo paths',
    'pack folder (default: reports/<name>-exhibits)',
  );

/** Print width of a chart in Word (inches) and the resolution its PNG is drawn at. */
const PRINT_INCHES = 6.5;
const DPI = 300;

/** A chart's PNG at 300 dpi for its printed width, from its SVG. */
function printPng(svg: string | undefined): { png: Uint8Array; width: number; height: number } | undefined {
  if (!svg) return undefined;
  const [w, h] = svgSize(svg);
  const scale = (PRINT_INCHES * DPI) / w;
  return { png: svgToPng(svg, scale), width: Math.round(w * scale), height: Math.round(h * scale) };
}

export type ExhibitFlags = ReturnType<ReturnType<typeof define>['opts']>;

export const exhibitsCommand: FolderCommand<ExhibitFlags, undefined> = {
  name: 'exhibits',
  folder: (name) => `${name}-exhibits`,
  prepare: () => undefined,
  estimate: (loaded, prepared, settings) => runCommand.estimate(loaded, prepared, settings),
  async work(ctx) {
    const { files, printed, doc, summary } = await simulateAndReport(ctx);
    const svgOf = folderSvgs(files);
    files.set('exhibits.pdf', await renderPdf(doc, { svgOf, footer: `Scenario ${summary.scenario.name}, sha256 ${summary.scenario.sha256.slice(0, 8)}` }));
    files.set('exhibits.docx', await renderDocx(doc, { pngOf: (name) => printPng(svgOf(name)) }));
    return { files, printed };
  },
};

export const registerExhibits: Registrar = (program, io, setExit) => define(program).action(async (scenario, flags) => setExit(await runFolderCommand(exhibitsCommand, scenario, flags, io)));
