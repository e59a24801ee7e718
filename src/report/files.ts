/** Every file of a report folder, built in memory before anything is written. */
import type { LoadedScenario } from '../scenario/load.js';
import type { RunResult } from '../engine/run.js';
import { buildSummary, runSummary, seriesRows, withCostOfDelay, type RunExtras, type SummaryJson } from '../analysis/run.js';
import { buildCharts, chartCalendar, type Chart } from '../charts/specs.js';
import { addChartFiles, ChartRenders } from '../charts/render.js';
import { attributionCsv, metricsCsv, outcomesCsv, seriesCsv } from './summary.js';
import { runDocument, runHeadline } from './run.js';
import { renderMarkdown } from './render/markdown.js';
import { folderSvgs, renderHtml } from './render/html.js';
import { renderText } from './render/text.js';
import { timingJson } from './timing.js';
import type { Document } from './document.js';

export interface ReportFiles {
  files: Map<string, string | Uint8Array>;
  summary: SummaryJson;
  /** What the command prints: the headline. */
  printed: string;
  /** Warnings from vega or vega-lite while rendering (none expected). */
  chartWarnings: string[];
  /** The report's document, for further renderers (the exhibit pack's PDF). */
  doc: Document;
  /** The run's charts (the exhibit pack makes each an exhibit). */
  charts: Chart[];
  /** What timing.json holds (a command that does more work writes it again with its own parts). */
  timing: RunResult['timing'];
}

/**
 * A run's report folder. `early`: what the caller built before the cost-of-delay exhibit was in
 * (earlyReport): the summary without it, and its charts drawn.
 */
export async function buildReportFiles(loaded: LoadedScenario, result: RunResult, extras: RunExtras = {}, early?: EarlyReport): Promise<ReportFiles> {
  const summary = early ? withCostOfDelay(early.summary, extras.delay) : buildSummary(loaded, result, extras);
  const series = extras.series ?? seriesRows(result);
  const files = new Map<string, string | Uint8Array>();
  files.set('summary.json', JSON.stringify(summary, null, 1) + '\n');
  files.set('timing.json', timingJson(result.timing));
  files.set('metrics.csv', metricsCsv(summary));
  files.set('outcomes.csv', outcomesCsv(summary));
  const attribution = attributionCsv(summary);
  if (attribution) files.set('attribution.csv', attribution);
  files.set('series.csv', seriesCsv(series));
  const charts = buildCharts(result, summary, series, chartCalendar(loaded.scenario));
  const chartWarnings = await addChartFiles(files, charts, early?.renders);
  const doc = runDocument(loaded.scenario, summary, charts);
  files.set('summary.md', renderMarkdown(doc));
  files.set('report.html', renderHtml(doc, folderSvgs(files)));
  return { files, summary, printed: renderText(runHeadline(summary)), chartWarnings, doc, charts, timing: result.timing };
}

/** The part of a run's report that does not need its cost-of-delay exhibit, and its charts drawn. */
export interface EarlyReport {
  summary: SummaryJson;
  renders: ChartRenders;
}

/**
 * Builds what of a run's report does not depend on its cost-of-delay exhibit (every chart but that
 * one; with `delayPending` the charts after it keep its figure number free, so they are drawn
 * once), for buildReportFiles: a run does this while the exhibit's paths simulate on another
 * thread. `drawn` resolves once the charts' SVGs are drawn (their PNGs may
 * still be rasterising: addChartFiles awaits them).
 */
export function earlyReport(loaded: LoadedScenario, result: RunResult, extras: Omit<RunExtras, 'delay'>, delayPending = false): { early: EarlyReport; drawn: Promise<void> } {
  const summary = runSummary(loaded, result, extras);
  const renders = new ChartRenders();
  const drawn = renders.drawAll(buildCharts(result, summary, extras.series ?? seriesRows(result), chartCalendar(loaded.scenario), { delayPending }));
  return { early: { summary, renders }, drawn };
}

/**
 * paths.csv: one row per path: its index, every input as drawn (by key path; `draws` by InputRef),
 * the but-for world's firm value and insolvency day, and every metric of every compared policy as
 * <policy>.<metric>, for an economist's own regressions and to re-derive any paired number.
 */
export function pathsCsv(loaded: LoadedScenario, result: RunResult, draws: Float64Array[]): string {
  const s = loaded.scenario;
  const { plan } = result;
  // Every column taken once (a large run's are read from its file when looked up: engine/spill.ts).
  const metrics = result.metrics.map((columns) => [...columns]);
  const head = ['path', ...s.inputs.map((d) => d.key), 'butfor.firm_value', 'butfor.insolvency_day', ...plan.policies.flatMap((p) => plan.metrics.map((m) => `${p.name}.${m}`))];
  const rows = [head.map((h) => (/[",]/.test(h) ? JSON.stringify(h) : h)).join(',')];
  for (let k = 0; k < result.settings.paths; k++) {
    const row: (number | string)[] = [k];
    for (const d of s.inputs) row.push(draws[d.id][k]);
    // The but-for world's own figures, so every paired number can be re-derived: its firm value W_butfor and the day it became insolvent (empty: never).
    row.push(result.butforValue[k], result.butforInsolvencyDay[k] < 0 ? '' : result.butforInsolvencyDay[k]);
    for (let i = 0; i < plan.policies.length; i++) for (let j = 0; j < plan.metrics.length; j++) row.push(metrics[i][j][k]);
    rows.push(row.join(','));
  }
  return rows.join('\n') + '\n';
}
