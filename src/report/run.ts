/**
 * The documents of a run: the report (summary.md and report.html) and the headline a run prints,
 * built once from summary.json's data.
 */
import type { Scenario } from '../scenario/types.js';
import type { SummaryJson } from '../analysis/run.js';
import type { Chart } from '../charts/specs.js';
import { formatMoney, formatPercent } from '../format.js';
import { when, type Document, type Table } from './document.js';
import {
  ACCESS_NOTE,
  accessTable,
  afterShareCaveat,
  ATTRIBUTION_NOTE,
  attributionStatements,
  attributionTable,
  DECISION_NOTE,
  decisionStatements,
  decisionTable,
  OUTCOME_NOTE,
  outcomeStatements,
  HYPOTHETICAL_NOTE,
  percentileWithCi,
  assumptionsTable,
  staffTable,
  coverageList,
  DELAY_NOTE,
  delayTable,
  decompositionTable,
  DECOMPOSITION_NOTE,
  insolvencyTimingTable,
  metricsTable,
  mitigationTable,
  MITIGATION_NOTE,
  plural,
  provenance,
  RESULTS_NOTE,
  resultsTable,
  TIMING_NOTE,
  withCi,
} from './tables.js';

const butforLine = (summary: SummaryJson) => {
  const bf = summary.butfor;
  return `P(insolvent) = ${formatPercent(bf.insolvency_probability)} [${formatPercent(bf.insolvency_probability_ci95[0])}, ${formatPercent(bf.insolvency_probability_ci95[1])}]`;
};

export function runDocument(s: Scenario, summary: SummaryJson, charts: Chart[]): Document {
  const [scenarioLine, runLine, reproduce, quantiles] = provenance(s, summary);
  const mitigation = mitigationTable(summary);
  const decision = decisionTable(summary);
  const attribution = attributionTable(summary);
  const delay = delayTable(summary);
  const hypothetical = Object.values(summary.policies).filter((p) => p.status === 'hypothetical');
  return {
    title: s.title,
    blocks: [
      { kind: 'heading', level: 1, text: s.title },
      { kind: 'paragraph', text: `${scenarioLine} ${runLine}`, muted: true },
      ...when(summary.warnings.length, { kind: 'note', title: 'Warnings', items: summary.warnings }),
      { kind: 'heading', level: 2, text: 'Results' },
      { kind: 'paragraph', text: RESULTS_NOTE },
      { kind: 'table', table: resultsTable(summary), className: 'results' },
      ...when(hypothetical.length, { kind: 'paragraph', text: HYPOTHETICAL_NOTE }, { kind: 'table', table: resultsTable(summary, 'hypothetical'), className: 'results-hypothetical' }),
      { kind: 'paragraph', text: `But-for world (no revocation): ${butforLine(summary)}; mean firm value ${formatMoney(summary.butfor.firm_value.mean, summary.scenario.currency)}.` },
      { kind: 'paragraph', text: afterShareCaveat(summary) },
      { kind: 'heading', level: 3, text: 'Harm by outcome' },
      { kind: 'paragraph', text: OUTCOME_NOTE },
      { kind: 'list', items: outcomeStatements(summary) },
      { kind: 'heading', level: 3, text: 'Who each policy cuts off' },
      { kind: 'list', items: coverageList(summary) },
      { kind: 'heading', level: 3, text: 'Access denied: targeted and collateral' },
      { kind: 'paragraph', text: ACCESS_NOTE },
      { kind: 'table', table: accessTable(summary), className: 'access' },
      { kind: 'heading', level: 3, text: 'Where the harm comes from' },
      { kind: 'paragraph', text: DECOMPOSITION_NOTE },
      { kind: 'table', table: decompositionTable(summary), className: 'decomposition' },
      { kind: 'heading', level: 3, text: 'When the firm fails' },
      { kind: 'paragraph', text: TIMING_NOTE },
      { kind: 'table', table: insolvencyTimingTable(summary), className: 'timing' },
      ...(mitigation ? [{ kind: 'heading', level: 3, text: 'Mitigation' } as const, { kind: 'paragraph', text: MITIGATION_NOTE } as const, { kind: 'table', table: mitigation, className: 'mitigation' } as const] : []),
      ...(decision ? [{ kind: 'heading', level: 3, text: 'The mitigation decision' } as const, { kind: 'paragraph', text: DECISION_NOTE } as const, { kind: 'table', table: decision, className: 'decision' } as const, { kind: 'list', items: decisionStatements(summary) } as const] : []),
      ...(attribution ? [{ kind: 'heading', level: 3, text: 'Who caused the harm' } as const, { kind: 'paragraph', text: ATTRIBUTION_NOTE } as const, { kind: 'table', table: attribution, className: 'attribution' } as const, { kind: 'list', items: attributionStatements(summary) } as const] : []),
      ...(delay ? [{ kind: 'heading', level: 3, text: 'Cost of delay' } as const, { kind: 'paragraph', text: DELAY_NOTE(summary.cost_of_delay!) } as const, { kind: 'table', table: delay, className: 'delay' } as const] : []),
      ...when(charts.length, { kind: 'heading', level: 2, text: 'Charts' }, { kind: 'interactive-hint', text: 'Hover over a chart for the values behind it.' }, { kind: 'figures', charts }),
      { kind: 'heading', level: 2, text: 'All metrics' },
      { kind: 'paragraph', text: 'Means over paths with their standard error, and the 5th, 50th and 95th percentiles with their distribution-free 95% intervals (Monte Carlo precision); metrics that are 0 or 1 per path as probabilities with Wilson 95% intervals.' },
      { kind: 'table', table: metricsTable(summary), className: 'metrics' },
      { kind: 'heading', level: 2, text: 'Assumptions' },
      { kind: 'paragraph', text: 'The staff, as the scenario file gives them, and the compared policies that cut each segment off:' },
      { kind: 'table', table: staffTable(s, summary), className: 'staff' },
      { kind: 'paragraph', text: 'Every value of the scenario file: the settings first (how the run was set up; not drawn), then every input, drawn once per path. Basis and status as written beside the key in the file (settings left unset take their documented defaults).' },
      { kind: 'table', table: assumptionsTable(s), className: 'assumptions', code: [0] },
      ...when(summary.correlations, {
        kind: 'paragraph',
        text: `Correlated inputs (Gaussian copula, marginals unchanged): ${(summary.correlations ?? []).map((c) => `${c.between.join(' ~ ')}: rank correlation ${c.rank} asked, ${c.achieved.toFixed(3)} achieved`).join('; ')}.`,
      }),
      { kind: 'heading', level: 2, text: 'Provenance and reproduction' },
      { kind: 'lines', lines: [scenarioLine, runLine] },
      { kind: 'command', text: reproduce },
      { kind: 'paragraph', text: quantiles, muted: true },
    ],
  };
}

/** What `accessgap run` prints: the headline figures, who each policy cuts off, warnings. */
export function runHeadline(summary: SummaryJson): Document {
  const money = (v: number) => formatMoney(v, summary.scenario.currency);
  const run = summary.run;
  const table = (hypothetical: boolean): Table => ({
    head: ['policy', 'total harm: median [95% CI]', '5th to 95th pct [95% CIs]', 'mean [95% CI]', 'P(insolvent because of it)', 'lost revenue after access returns'],
    rows: Object.entries(summary.policies)
      .filter(([, p]) => (p.status === 'hypothetical') === hypothetical)
      .map(([name, p]) => [
            name,
            percentileWithCi(p.metrics.total_harm.p50_ci95, p.metrics.total_harm.p50, money),
            `${percentileWithCi(p.metrics.total_harm.p05_ci95, p.metrics.total_harm.p05, money)} to ${percentileWithCi(p.metrics.total_harm.p95_ci95, p.metrics.total_harm.p95, money)}`,
            withCi(p.metrics.total_harm, money),
            withCi(p.metrics.attributable_insolvency, formatPercent),
            p.derived.after_restoration_revenue_share === null ? 'n/a' : formatPercent(p.derived.after_restoration_revenue_share),
          ]),
  });
  const hypothetical = Object.values(summary.policies).some((p) => p.status === 'hypothetical');
  return {
    title: summary.scenario.title,
    blocks: [
      { kind: 'lines', lines: [summary.scenario.title, `${plural(run.paths, 'path')}, seed ${run.seed}, horizon ${plural(run.horizon_days, 'day')} and a ${run.tail_days}-day tail; harm in present value at day 0`] },
      { kind: 'table', className: 'headline', table: table(false) },
      ...when(hypothetical, { kind: 'paragraph', text: HYPOTHETICAL_NOTE }, { kind: 'table', className: 'headline-hypothetical', table: table(true) }),
      { kind: 'paragraph', text: `but-for world: ${butforLine(summary)}. Intervals in brackets are the Monte Carlo precision of the estimate, not the uncertainty of the harm (the 5th to 95th percentile shows that).` },
      { kind: 'list', title: 'Harm by outcome:', items: outcomeStatements(summary) },
      ...when(decisionStatements(summary).length, { kind: 'list', title: 'The mitigation decision:', items: decisionStatements(summary) }),
      ...when(attributionStatements(summary).length, { kind: 'list', title: 'Who caused the harm:', items: attributionStatements(summary) }),
      { kind: 'list', title: 'Who each policy cuts off:', items: coverageList(summary) },
      ...when(summary.warnings.length, { kind: 'note', title: 'Warnings', items: summary.warnings }),
    ],
  };
}
