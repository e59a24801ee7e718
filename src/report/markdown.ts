/** summary.md: the human-readable report in Markdown (results, assumptions, provenance). */
import type { LoadedScenario } from '../scenario/load.js';
import { METRICS, MONEY_METRICS } from '../model/metrics.js';
import { assumptionRows } from './assumptions.js';
import { formatMoney, formatPercent } from './format.js';
import type { SummaryJson } from './summary.js';

const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export interface ChartRef {
  file: string;
  title: string;
}

export function summaryMarkdown(loaded: LoadedScenario, summary: SummaryJson, charts: ChartRef[]): string {
  const s = loaded.scenario;
  const cur = summary.scenario.currency;
  const fmt = (m: string, x: number) => (MONEY_METRICS.includes(m as never) ? formatMoney(x, cur) : m === 'after_restoration_share' || m.includes('insolven') ? formatPercent(x) : x.toLocaleString('en-US', { maximumFractionDigits: 1 }));
  const lines: string[] = [];
  lines.push(`# ${esc(s.title)}`, '');
  lines.push(`Scenario \`${s.name}\` (${esc(s.file)}, sha256 \`${s.sha256.slice(0, 12)}…\`), ${summary.run.paths.toLocaleString('en-US')} paths, seed ${summary.run.seed}, horizon ${summary.run.horizon_days} days, discount rate ${formatPercent(summary.run.discount_rate)}; accessgap ${summary.run.version}.`, '');
  lines.push('## Results', '', 'Means with 95% confidence intervals of the mean; p05 and p95 are of the path distribution.', '');
  lines.push('| policy | total harm (PV) | 90% of paths | PV lost profit | P(insolvent) | P(insolvent, attributable) | lost revenue after restoration |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const [name, p] of Object.entries(summary.policies)) {
    const m = p.metrics;
    const ci = (k: keyof typeof m, f: (x: number) => string) => `${f(m[k].mean)} [${m[k].ci95 ? `${f(m[k].ci95![0])}, ${f(m[k].ci95![1])}` : 'n/a'}]`;
    const money = (x: number) => formatMoney(x, cur);
    lines.push(`| ${name} | ${ci('total_harm', money)} | ${money(m.total_harm.p05)} to ${money(m.total_harm.p95)} | ${ci('pv_lost_profit', money)} | ${ci('insolvent', formatPercent)} | ${ci('attributable_insolvency', formatPercent)} | ${ci('after_restoration_share', formatPercent)} |`);
  }
  lines.push('', `But-for world (no revocation): P(insolvent) = ${formatPercent(summary.butfor.insolvency_probability)}.`, '');
  lines.push('### Who each policy cuts off', '');
  for (const [name, p] of Object.entries(summary.policies)) {
    lines.push(`- **${name}**${p.description ? ` (${esc(p.description)})` : ''}: ${p.affected_segments.length ? p.affected_segments.join(', ') : 'no staff'}${p.product_affected ? '; the product' : ''}.`);
  }
  for (const c of charts) lines.push('', `![${esc(c.title)}](${c.file})`);
  lines.push('', '## All metrics', '');
  lines.push('| policy | metric | mean | se | p05 | p50 | p95 |', '|---|---|---|---|---|---|---|');
  for (const [name, p] of Object.entries(summary.policies)) {
    for (const m of METRICS) {
      const x = p.metrics[m];
      lines.push(`| ${name} | ${m} | ${fmt(m, x.mean)} | ${x.se === null ? 'n/a' : fmt(m, x.se)} | ${fmt(m, x.p05)} | ${fmt(m, x.p50)} | ${fmt(m, x.p95)} |`);
    }
  }
  lines.push('', '## Assumptions', '', 'Every input of the scenario file, as drawn once per path; basis and status as written beside the key in the file.', '');
  lines.push('| input | value or distribution | basis |', '|---|---|---|');
  for (const r of assumptionRows(s)) lines.push(`| \`${r.key}\` | ${esc(r.value)} | ${esc(r.basis)} |`);
  lines.push('', '## Reproducing these numbers', '');
  lines.push('```', `npx accessgap run ${s.file} --paths ${summary.run.paths} --seed ${summary.run.seed}`, '```', '');
  lines.push(`The same scenario file (sha256 \`${s.sha256}\`), seed and paths give byte-identical summary.json (apart from run.timing), metrics.csv and series.csv with any --threads. Metric quantiles: ${summary.run.metric_quantiles}. Series quantiles: ${summary.run.series_quantiles}.`, '');
  return lines.join('\n');
}
