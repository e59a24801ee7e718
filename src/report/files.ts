/** Every file of a report folder, built in memory before anything is written. */
import type { LoadedScenario } from '../scenario/load.js';
import type { RunResult } from '../engine/run.js';
import { buildCharts } from '../charts/specs.js';
import { addChartFiles } from '../charts/render.js';
import { buildSummary, metricsCsv, seriesCsv, seriesRows, type SummaryJson } from './summary.js';
import { summaryMarkdown } from './markdown.js';
import { reportHtml } from './html.js';
import type { CostOfDelay } from '../study/delay.js';
import { makeInputDrawer } from '../sampling/draw.js';

export interface ReportFiles {
  files: Map<string, string | Uint8Array>;
  summary: SummaryJson;
  /** Warnings from vega or vega-lite while rendering (none expected). */
  chartWarnings: string[];
}

export async function buildReportFiles(loaded: LoadedScenario, result: RunResult, delay?: CostOfDelay): Promise<ReportFiles> {
  const summary = buildSummary(loaded, result, delay);
  const series = seriesRows(result);
  const files = new Map<string, string | Uint8Array>();
  files.set('summary.json', JSON.stringify(summary, null, 1) + '\n');
  files.set('metrics.csv', metricsCsv(summary));
  files.set('series.csv', seriesCsv(series));
  const charts = buildCharts(result, summary, series);
  const chartWarnings = await addChartFiles(files, charts);
  files.set('summary.md', summaryMarkdown(loaded, summary, charts.map((c) => ({ file: `charts/${c.name}.png`, title: c.title }))));
  files.set('report.html', reportHtml(loaded, summary, charts));
  return { files, summary, chartWarnings };
}

/**
 * paths.csv: one row per path: its index, every input as drawn (by key path), and every metric of
 * every compared policy as <policy>.<metric>, for an economist's own regressions.
 */
export function pathsCsv(loaded: LoadedScenario, result: RunResult): string {
  const s = loaded.scenario;
  const { plan, metrics } = result;
  const drawer = makeInputDrawer(s, loaded.expressions, result.settings.seed);
  const values = new Float64Array(s.inputs.length);
  const head = ['path', ...s.inputs.map((d) => d.key), ...plan.policies.flatMap((p) => plan.metrics.map((m) => `${p.name}.${m}`))];
  const rows = [head.map((h) => (/[",]/.test(h) ? JSON.stringify(h) : h)).join(',')];
  for (let k = 0; k < result.settings.paths; k++) {
    drawer.draw(k, values);
    const row: (number | string)[] = [k];
    for (const d of s.inputs) row.push(values[d.id]);
    for (let i = 0; i < plan.policies.length; i++) for (let j = 0; j < plan.metrics.length; j++) row.push(metrics[i][j][k]);
    rows.push(row.join(','));
  }
  return rows.join('\n') + '\n';
}
