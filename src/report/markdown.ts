/** summary.md: the human-readable report in Markdown (results, charts, assumptions, provenance). */
import type { LoadedScenario } from '../scenario/load.js';
import { formatPercent } from './format.js';
import type { SummaryJson } from './summary.js';
import { assumptionsTable, coverageList, metricsTable, provenance, resultsTable, type Table } from './tables.js';

const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const table = (t: Table, code: number[] = []) => [
  `| ${t.head.join(' | ')} |`,
  `|${t.head.map(() => '---').join('|')}|`,
  ...t.rows.map((r) => `| ${r.map((c, i) => (code.includes(i) ? `\`${c}\`` : esc(c))).join(' | ')} |`),
];

export interface ChartRef {
  file: string;
  title: string;
}

export function summaryMarkdown(loaded: LoadedScenario, summary: SummaryJson, charts: ChartRef[]): string {
  const s = loaded.scenario;
  const [scenarioLine, runLine, reproduce, quantiles] = provenance(s, summary);
  return [
    `# ${esc(s.title)}`,
    '',
    `${scenarioLine} ${runLine}`,
    '',
    '## Results',
    '',
    'Means with 95% confidence intervals of the mean; "90% of paths" spans the 5th to 95th percentile.',
    '',
    ...table(resultsTable(summary)),
    '',
    `But-for world (no revocation): P(insolvent) = ${formatPercent(summary.butfor.insolvency_probability)}.`,
    '',
    '### Who each policy cuts off',
    '',
    ...coverageList(summary).map((l) => `- ${esc(l)}`),
    '',
    ...(charts.length ? ['## Charts', '', ...charts.flatMap((c) => [`![${esc(c.title)}](${c.file})`, ''])] : []),
    '## All metrics',
    '',
    ...table(metricsTable(summary)),
    '',
    '## Assumptions',
    '',
    'Every input of the scenario file, drawn once per path; basis and status as written beside the key in the file.',
    '',
    ...table(assumptionsTable(s), [0]),
    '',
    '## Provenance and reproduction',
    '',
    scenarioLine,
    runLine,
    '',
    reproduce,
    '',
    quantiles,
    '',
  ].join('\n');
}
