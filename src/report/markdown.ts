/** summary.md: the human-readable report in Markdown (results, charts, assumptions, provenance). */
import type { LoadedScenario } from '../scenario/load.js';
import { formatMoney, formatPercent } from './format.js';
import type { SummaryJson } from './summary.js';
import { assumptionsTable, coverageList, DELAY_NOTE, delayTable, decompositionTable, DECOMPOSITION_NOTE, insolvencyTimingTable, metricsTable, mitigationTable, MITIGATION_NOTE, provenance, RESULTS_NOTE, resultsTable, TIMING_NOTE, type Table } from './tables.js';

export const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
export const table = (t: Table, code: number[] = []) => [
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
  const bf = summary.butfor;
  const mitigation = mitigationTable(summary);
  const delay = delayTable(summary);
  return [
    `# ${esc(s.title)}`,
    '',
    `${scenarioLine} ${runLine}`,
    '',
    ...(summary.warnings.length ? ['**Warnings**', '', ...summary.warnings.map((w) => `- ${esc(w)}`), ''] : []),
    '## Results',
    '',
    RESULTS_NOTE,
    '',
    ...table(resultsTable(summary)),
    '',
    `But-for world (no revocation): P(insolvent) = ${formatPercent(bf.insolvency_probability)} [${formatPercent(bf.insolvency_probability_ci95[0])}, ${formatPercent(bf.insolvency_probability_ci95[1])}]; mean firm value ${formatMoney(bf.firm_value.mean, summary.scenario.currency)}.`,
    '',
    '### Who each policy cuts off',
    '',
    ...coverageList(summary).map((l) => `- ${esc(l)}`),
    '',
    '### Where the harm comes from',
    '',
    DECOMPOSITION_NOTE,
    '',
    ...table(decompositionTable(summary)),
    '',
    '### When the firm fails',
    '',
    TIMING_NOTE,
    '',
    ...table(insolvencyTimingTable(summary)),
    '',
    ...(mitigation ? ['### Mitigation', '', MITIGATION_NOTE, '', ...table(mitigation), ''] : []),
    ...(delay ? ['### Cost of delay', '', DELAY_NOTE(summary.cost_of_delay!), '', ...table(delay), ''] : []),
    ...(charts.length ? ['## Charts', '', ...charts.flatMap((c) => [`![${esc(c.title)}](${c.file})`, ''])] : []),
    '## All metrics',
    '',
    'Means over paths with their standard error and 5th, 50th and 95th percentiles; metrics that are 0 or 1 per path as probabilities with Wilson 95% intervals.',
    '',
    ...table(metricsTable(summary)),
    '',
    '## Assumptions',
    '',
    'Every input of the scenario file, drawn once per path; basis and status as written beside the key in the file.',
    '',
    ...table(assumptionsTable(s), [0]),
    '',
    ...(summary.correlations ? [`Correlated inputs (Gaussian copula, marginals unchanged): ${summary.correlations.map((c) => `${c.between.join(' ~ ')}: rank correlation ${c.rank} asked, ${c.achieved.toFixed(3)} achieved`).join('; ')}.`, ''] : []),
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
