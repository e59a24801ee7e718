/** Every file of a report folder, built in memory before anything is written. */
import type { LoadedScenario } from '../scenario/load.js';
import type { RunResult } from '../engine/run.js';
import { buildSummary, metricsCsv, seriesCsv, type SummaryJson } from './summary.js';
import { summaryMarkdown } from './markdown.js';

export async function buildReportFiles(loaded: LoadedScenario, result: RunResult): Promise<{ files: Map<string, string | Uint8Array>; summary: SummaryJson }> {
  const summary = buildSummary(loaded, result);
  const files = new Map<string, string | Uint8Array>();
  files.set('summary.json', JSON.stringify(summary, null, 1) + '\n');
  files.set('metrics.csv', metricsCsv(summary));
  files.set('series.csv', seriesCsv(result));
  files.set('summary.md', summaryMarkdown(loaded, summary, []));
  return { files, summary };
}
