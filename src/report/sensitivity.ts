/**
 * A sensitivity analysis's folder: sensitivity.json (accessgap/sensitivity@1), tornado.csv,
 * rank.csv, charts in the house style, summary.md and report.html, and the printed summary.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { statusOf, type SensitivityJson } from '../analysis/sensitivity.js';
import { addChartFiles } from '../charts/render.js';
import { chartSet, moneyAxis, MONEY_FORMAT } from '../charts/theme.js';
import type { Chart } from '../charts/specs.js';
import { MONEY_METRICS } from '../model/metrics.js';
import { VERSION } from '../version.js';
import { formatMoney } from './format.js';
import { esc, table as mdTable } from './markdown.js';
import { chartFigures, escapeHtml, htmlPage, table as htmlTable } from './html.js';
import type { Table } from './tables.js';

const n6 = (x: number) => Number(x.toPrecision(6));
const csv = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));

export function tornadoCsv(json: SensitivityJson): string {
  const rows = ['policy,metric,input,low_value,high_value,mean_low,mean_high,se_low,se_high,swing,base_mean'];
  for (const [policy, p] of Object.entries(json.policies)) {
    for (const r of p.tornado ?? []) rows.push([policy, json.run.metric, r.input, r.low_value, r.high_value, r.mean_low, r.mean_high, csv(r.low_vs_base.se), csv(r.high_vs_base.se), r.swing, p.base_mean].join(','));
  }
  return rows.join('\n') + '\n';
}

export function sobolCsv(json: SensitivityJson): string {
  const rows = ['policy,metric,input,S1,S1_ci95_lo,S1_ci95_hi,ST,ST_ci95_lo,ST_ci95_hi'];
  for (const [policy, p] of Object.entries(json.policies)) for (const r of p.sobol ?? []) rows.push([policy, json.run.metric, JSON.stringify(r.input), r.S1, r.S1_ci95[0], r.S1_ci95[1], r.ST, r.ST_ci95[0], r.ST_ci95[1]].join(','));
  return rows.join('\n') + '\n';
}

export function rankCsv(json: SensitivityJson): string {
  const rows = ['policy,metric,input,spearman,ci95_lo,ci95_hi'];
  for (const [policy, p] of Object.entries(json.policies)) for (const r of p.rank ?? []) rows.push([policy, json.run.metric, r.input, r.spearman, csv(r.ci95?.[0]), csv(r.ci95?.[1])].join(','));
  return rows.join('\n') + '\n';
}

const fmt = (json: SensitivityJson) => (MONEY_METRICS.includes(json.run.metric as never) ? (x: number) => formatMoney(x, json.scenario.currency) : (x: number) => String(n6(x)));

/** In words, per policy: the three inputs that drive the metric, their share of its rank variance, and the inputs that do not matter. */
export function sensitivityStatements(json: SensitivityJson): string[] {
  const f = fmt(json);
  const label = (key: string) => {
    const st = json.inputs.find((i) => i.key === key)?.status;
    return st ? `${key} (${st})` : key;
  };
  return Object.entries(json.policies).map(([policy, p]) => {
    const flat = (p.tornado ?? []).every((r) => r.swing === 0) && (p.sobol ?? []).every((r) => r.ST === 0) && (p.rank ?? []).every((r) => r.spearman === 0);
    if (flat) return `${policy}: ${json.run.metric} does not vary on these paths (the policy cuts this firm off from nothing, or the metric is constant): no input drives it.`;
    const parts: string[] = [];
    const top = (p.tornado ?? []).filter((r) => r.swing > 0).slice(0, 3);
    if (top.length) parts.push(`the ${top.length === 1 ? 'input that moves' : `${top.length} inputs that move`} ${json.run.metric} most: ${top.map((r) => `${label(r.input)}, from ${f(r.mean_low)} to ${f(r.mean_high)}`).join('; ')}`);
    const sobol = p.sobol ?? [];
    if (sobol.length) {
      const three = [...sobol].sort((a, b) => b.S1 - a.S1).slice(0, 3);
      const share = three.reduce((acc, r) => acc + Math.max(0, r.S1), 0);
      parts.push(`by Sobol indices ${three.map((r) => `${r.input} (first order ${r.S1.toFixed(2)}, total ${r.ST.toFixed(2)})`).join(', ')} explain ${(100 * Math.min(1, share)).toFixed(0)}% of its variance alone`);
    }
    const ranked = [...(p.rank ?? [])].sort((a, b) => Math.abs(b.spearman) - Math.abs(a.spearman));
    if (ranked.length && !sobol.length) {
      const three = ranked.slice(0, 3);
      const share = three.reduce((acc, r) => acc + r.spearman * r.spearman, 0);
      parts.push(`by rank correlation ${three.map((r) => `${r.input} (${r.spearman.toFixed(2)})`).join(', ')}, together ${(100 * Math.min(1, share)).toFixed(0)}% of the variance of its ranks (sum of squared rank correlations)`);
    }
    const idle = (p.tornado ?? []).filter((r) => r.swing === 0 || (r.low_vs_base.ci95 && r.high_vs_base.ci95 && r.low_vs_base.ci95[0] <= 0 && r.low_vs_base.ci95[1] >= 0 && r.high_vs_base.ci95[0] <= 0 && r.high_vs_base.ci95[1] >= 0));
    if (idle.length) parts.push(`no clear effect (within the Monte Carlo error) from ${idle.map((r) => r.input).join(', ')}`);
    return `${policy}: ${parts.length ? parts.join('; ') : `${json.run.metric} does not vary`}.`;
  });
}

function tornadoTable(json: SensitivityJson, policy: string): Table {
  const f = fmt(json);
  const p = json.policies[policy];
  return {
    head: ['input', 'status', 'low value', 'high value', `${json.run.metric} at low [95% CI of the change]`, 'at high', 'swing'],
    rows: (p.tornado ?? []).map((r) => [
      r.input,
      json.inputs.find((i) => i.key === r.input)?.status ?? '',
      String(n6(r.low_value)),
      String(n6(r.high_value)),
      `${f(r.mean_low)}${r.low_vs_base.ci95 ? ` [${f(r.low_vs_base.ci95[0])}, ${f(r.low_vs_base.ci95[1])}]` : ''}`,
      `${f(r.mean_high)}${r.high_vs_base.ci95 ? ` [${f(r.high_vs_base.ci95[0])}, ${f(r.high_vs_base.ci95[1])}]` : ''}`,
      f(r.swing),
    ]),
  };
}

function sobolTable(json: SensitivityJson, policy: string): Table {
  const ci = (x: [number, number]) => `[${x[0].toFixed(3)}, ${x[1].toFixed(3)}]`;
  return {
    head: ['input', 'first order S1', '95% CI', 'total order ST', '95% CI'],
    rows: (json.policies[policy].sobol ?? []).map((r) => [r.input, r.S1.toFixed(3), ci(r.S1_ci95), r.ST.toFixed(3), ci(r.ST_ci95)]),
  };
}

function rankTable(json: SensitivityJson, policy: string): Table {
  return {
    head: ['input', 'Spearman', '95% CI'],
    rows: [...(json.policies[policy].rank ?? [])].sort((a, b) => Math.abs(b.spearman) - Math.abs(a.spearman)).map((r) => [r.input, r.spearman.toFixed(3), r.ci95 ? `[${r.ci95[0].toFixed(3)}, ${r.ci95[1].toFixed(3)}]` : 'n/a']),
  };
}

export function sensitivityCharts(json: SensitivityJson): Chart[] {
  const policies = Object.keys(json.policies);
  const { charts, add } = chartSet({ ...json.run, ...json.scenario }, policies);
  const money = MONEY_METRICS.includes(json.run.metric as never);
  const label = (key: string) => {
    const st = json.inputs.find((i) => i.key === key)?.status;
    return st ? `${key} [${st}]` : key;
  };
  const [qLo, qHi] = json.run.tornado_quantiles;
  for (const policy of policies) {
    const p = json.policies[policy];
    if (p.tornado?.length) {
      const rows = p.tornado.slice(0, 15).map((r, i) => ({ input: label(r.input), order: i, low: r.mean_low, high: r.mean_high, base: p.base_mean, lowValue: n6(r.low_value), highValue: n6(r.high_value) }));
      const y = { field: 'input', type: 'nominal' as const, title: null, sort: rows.map((r) => r.input), axis: { labelLimit: 280 } };
      const x = { type: 'quantitative' as const, ...(money ? moneyAxis(`${json.run.metric} (${json.scenario.currency})`) : { title: json.run.metric }) };
      add(`tornado-${policy}`, `What moves ${json.run.metric}: ${policy}`, `Mean ${json.run.metric} with each input at its ${Math.round(100 * qLo)}th (light) and ${Math.round(100 * qHi)}th (dark) percentile, every other input drawn as usual on the same paths; line: the base run's mean. Status labels from the scenario's comments; inputs by swing, largest first (at most 15).`, {
        data: { values: rows },
        width: 520,
        height: 22 * rows.length + 10,
        layer: [
          { mark: { type: 'bar', height: 14, color: '#9ecae1' }, encoding: { y, x: { field: 'low', ...x }, x2: { field: 'base' }, tooltip: [{ field: 'input' }, { field: 'lowValue', title: 'low value' }, { field: 'low', type: 'quantitative', title: 'mean at low', ...(money ? { format: MONEY_FORMAT } : {}) }] } },
          { mark: { type: 'bar', height: 14, color: '#2171b5' }, encoding: { y, x: { field: 'high', type: 'quantitative' }, x2: { field: 'base' }, tooltip: [{ field: 'input' }, { field: 'highValue', title: 'high value' }, { field: 'high', type: 'quantitative', title: 'mean at high', ...(money ? { format: MONEY_FORMAT } : {}) }] } },
          { mark: { type: 'rule', color: '#000' }, encoding: { x: { field: 'base', type: 'quantitative' } } },
        ],
      });
    }
  }
  const rankRows = policies.flatMap((policy) => (json.policies[policy].rank ?? []).map((r) => ({ policy, input: r.input, rho: r.spearman, lo: r.ci95?.[0] ?? r.spearman, hi: r.ci95?.[1] ?? r.spearman })));
  if (rankRows.length) {
    const order = [...new Set([...rankRows].sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho)).map((r) => r.input))];
    add('rank-correlations', `Rank correlations with ${json.run.metric}`, `Spearman correlation between each input's draw and ${json.run.metric} across the base run's paths, with its 95% interval (Fisher z, Bonett-Wright standard error); one panel per policy.`, {
      data: { values: rankRows },
      facet: { field: 'policy', type: 'nominal', title: null, sort: policies },
      columns: Math.min(3, policies.length),
      spec: {
        width: 220,
        height: 16 * order.length + 10,
        layer: [
          { mark: { type: 'bar', height: 10, color: '#4292c6' }, encoding: { y: { field: 'input', type: 'nominal', title: null, sort: order, axis: { labelLimit: 240 } }, x: { field: 'rho', type: 'quantitative', title: 'Spearman', scale: { domain: [-1, 1] } }, tooltip: [{ field: 'input' }, { field: 'rho', type: 'quantitative', format: '.3f' }] } },
          { mark: { type: 'rule', color: '#222' }, encoding: { y: { field: 'input', type: 'nominal', sort: order }, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
        ],
      },
    });
  }
  const sobolRows = policies.flatMap((policy) =>
    (json.policies[policy].sobol ?? []).slice(0, 15).flatMap((r) => [
      { policy, input: r.input, index: 'first order (S1)', value: r.S1, lo: r.S1_ci95[0], hi: r.S1_ci95[1] },
      { policy, input: r.input, index: 'total order (ST)', value: r.ST, lo: r.ST_ci95[0], hi: r.ST_ci95[1] },
    ]),
  );
  if (sobolRows.length) {
    add('sobol-indices', `Sobol indices of ${json.run.metric}`, `Share of the variance of ${json.run.metric} each input explains alone (first order, S1) and with its interactions (total order, ST), with 95% bootstrap intervals; ${json.run.sobol_paths?.toLocaleString('en-US')} paths per matrix (Saltelli's scheme). Inputs by total order, largest first (at most 15 per policy).`, {
      data: { values: sobolRows },
      facet: { field: 'policy', type: 'nominal', title: null, sort: policies },
      columns: Math.min(2, policies.length),
      spec: {
        width: 260,
        height: { step: 12 },
        layer: [
          { mark: { type: 'point', filled: true, size: 40 }, encoding: { y: { field: 'input', type: 'nominal', title: null, sort: { field: 'value', op: 'max', order: 'descending' }, axis: { labelLimit: 240 } }, x: { field: 'value', type: 'quantitative', title: 'index' }, yOffset: { field: 'index' }, color: { field: 'index', type: 'nominal', title: null, scale: { range: ['#6baed6', '#08519c'] }, legend: { orient: 'bottom' } }, tooltip: [{ field: 'input' }, { field: 'index' }, { field: 'value', type: 'quantitative', format: '.3f' }] } },
          { mark: { type: 'rule' }, encoding: { y: { field: 'input', type: 'nominal', sort: { field: 'value', op: 'max', order: 'descending' } }, yOffset: { field: 'index' }, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, color: { field: 'index', type: 'nominal' } } },
        ],
      },
    });
  }
  return charts;
}

export async function buildSensitivityFiles(json: SensitivityJson): Promise<Map<string, string | Uint8Array>> {
  const files = new Map<string, string | Uint8Array>();
  files.set('sensitivity.json', JSON.stringify(json, null, 1) + '\n');
  if (json.run.methods.includes('tornado')) files.set('tornado.csv', tornadoCsv(json));
  if (json.run.methods.includes('rank')) files.set('rank.csv', rankCsv(json));
  if (json.run.methods.includes('sobol')) files.set('sobol.csv', sobolCsv(json));
  const charts = sensitivityCharts(json);
  await addChartFiles(files, charts);
  files.set('summary.md', sensitivityMarkdown(json, charts));
  files.set('report.html', sensitivityHtml(json, charts));
  return files;
}

const intro = (json: SensitivityJson) =>
  `${json.run.paths.toLocaleString('en-US')} paths per run, seed ${json.run.seed}, ${json.run.passes} engine passes on the same paths; metric ${json.run.metric}; ${json.inputs.length} uncertain inputs (numbers and expressions are not varied: an expression varies through its inputs). Scenario ${json.scenario.file}, sha256 ${json.scenario.sha256}; engine accessgap ${json.run.version}.`;

export function sensitivityMarkdown(json: SensitivityJson, charts: Chart[]): string {
  const lines = [`# ${esc(json.scenario.title)}: which assumptions drive ${json.run.metric}`, '', intro(json), '', '## In words', '', ...sensitivityStatements(json).map((l) => `- ${esc(l)}`), ''];
  for (const policy of Object.keys(json.policies)) {
    lines.push(`## ${policy}`, '');
    if (json.policies[policy].tornado) lines.push(`Tornado: each input at its ${Math.round(100 * json.run.tornado_quantiles[0])}th and ${Math.round(100 * json.run.tornado_quantiles[1])}th percentile; intervals are of the paired change from the base run (mean ${fmt(json)(json.policies[policy].base_mean)}).`, '', ...mdTable(tornadoTable(json, policy)), '');
    if (json.policies[policy].rank) lines.push('Rank correlations (base run):', '', ...mdTable(rankTable(json, policy)), '');
    if (json.policies[policy].sobol) lines.push(`Sobol indices (${json.run.sobol_estimators}):`, '', ...mdTable(sobolTable(json, policy)), '');
  }
  lines.push('## Charts', '', ...charts.flatMap((c) => [`![${esc(c.title)}](charts/${c.name}.png)`, '']));
  return lines.join('\n');
}

export function sensitivityHtml(json: SensitivityJson, charts: Chart[]): string {
  const sections = Object.keys(json.policies)
    .map((policy) => `<h2>${escapeHtml(policy)}</h2>${json.policies[policy].tornado ? htmlTable(tornadoTable(json, policy), 'tornado') : ''}${json.policies[policy].rank ? htmlTable(rankTable(json, policy), 'rank') : ''}${json.policies[policy].sobol ? htmlTable(sobolTable(json, policy), 'sobol') : ''}`)
    .join('\n');
  return htmlPage(
    `${json.scenario.title}: sensitivity`,
    `<h1>${escapeHtml(json.scenario.title)}: which assumptions drive ${escapeHtml(json.run.metric)}</h1>
<p class="muted">${escapeHtml(intro(json))}</p>
<h2>In words</h2>
<ul>${sensitivityStatements(json).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>
${sections}
<h2>Charts</h2>
${chartFigures(charts)}`,
  );
}

/** The summary printed after the analysis. */
export function sensitivitySummary(json: SensitivityJson): string {
  return [`${json.scenario.title}: which assumptions drive ${json.run.metric}`, intro(json), '', ...sensitivityStatements(json)].join('\n');
}

export type { LoadedScenario };
