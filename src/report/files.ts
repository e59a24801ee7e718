/** Every file of a report folder, built in memory before anything is written. */
import type { LoadedScenario } from '../scenario/load.js';
import type { RunResult } from '../engine/run.js';
import { buildCharts } from '../charts/specs.js';
import { renderChart } from '../charts/render.js';
import { buildSummary, metricsCsv, seriesCsv, seriesRows, type SummaryJson } from './summary.js';
import { summaryMarkdown } from './markdown.js';
import { reportHtml } from './html.js';
import type { CostOfDelay } from '../study/delay.js';

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
  const chartWarnings: string[] = [];
  for (const chart of charts) {
    const { svg, png, warnings } = await renderChart(chart.spec);
    chartWarnings.push(...warnings.map((w) => `${chart.name}: ${w}`));
    files.set(`charts/${chart.name}.vl.json`, JSON.stringify(chart.spec) + '\n');
    files.set(`charts/${chart.name}.svg`, svg);
    files.set(`charts/${chart.name}.png`, png);
  }
  files.set('summary.md', summaryMarkdown(loaded, summary, charts.map((c) => ({ file: `charts/${c.name}.png`, title: c.title }))));
  files.set('report.html', reportHtml(loaded, summary, charts));
  return { files, summary, chartWarnings };
}
