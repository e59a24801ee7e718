/**
 * A sensitivity analysis's folder: sensitivity.json (accessgap/sensitivity@1), tornado.csv,
 * rank.csv, sobol.csv, charts, and its document (summary.md, report.html) and printed summary.
 */
import type { SensitivityJson } from '../analysis/sensitivity.js';
import { addChartFiles } from '../charts/render.js';
import { sensitivityCharts } from '../charts/sensitivity.js';
import type { Chart } from '../charts/specs.js';
import { MONEY_METRICS } from '../model/metrics.js';
import { csvNumber as csv, formatMoney, sig6 as n6 } from '../format.js';
import { timingJson } from './timing.js';
import { when, type Block, type Document } from './document.js';
import { renderMarkdown } from './render/markdown.js';
import { renderHtml } from './render/html.js';
import { renderText } from './render/text.js';
import type { Table } from './tables.js';


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

function settingsTable(json: SensitivityJson, policy: string): Table {
  const f = fmt(json);
  const ci = (x: { ci95: [number, number] | null }) => (x.ci95 ? ` [${f(x.ci95[0])}, ${f(x.ci95[1])}]` : '');
  return {
    head: ['setting', 'low value', 'high value', `${json.run.metric} at low [95% CI of the change]`, 'at high', 'swing'],
    rows: (json.policies[policy].settings ?? []).map((r) => [r.input, String(n6(r.low_value)), String(n6(r.high_value)), `${f(r.mean_low)}${ci(r.low_vs_base)}`, `${f(r.mean_high)}${ci(r.high_vs_base)}`, f(r.swing)]),
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

export async function buildSensitivityFiles(json: SensitivityJson, timing: Record<string, number>): Promise<{ files: Map<string, string | Uint8Array>; printed: string }> {
  const files = new Map<string, string | Uint8Array>();
  files.set('sensitivity.json', JSON.stringify(json, null, 1) + '\n');
  files.set('timing.json', timingJson(timing));
  if (json.run.methods.includes('tornado')) files.set('tornado.csv', tornadoCsv(json));
  if (json.run.methods.includes('rank')) files.set('rank.csv', rankCsv(json));
  if (json.run.methods.includes('sobol')) files.set('sobol.csv', sobolCsv(json));
  const charts = sensitivityCharts(json);
  await addChartFiles(files, charts);
  const doc = sensitivityDocument(json, charts);
  files.set('summary.md', renderMarkdown(doc));
  files.set('report.html', renderHtml(doc));
  return { files, printed: renderText(sensitivityHeadline(json)) };
}

const intro = (json: SensitivityJson) =>
  `${json.run.paths.toLocaleString('en-US')} paths per run, seed ${json.run.seed}, ${json.run.passes} engine passes on the same paths; metric ${json.run.metric}; ${json.inputs.length} uncertain inputs (numbers and expressions are not varied: an expression varies through its inputs). Scenario ${json.scenario.file}, sha256 ${json.scenario.sha256}; engine accessgap ${json.run.version}.`;

export function sensitivityDocument(json: SensitivityJson, charts: Chart[]): Document {
  const [qLo, qHi] = json.run.tornado_quantiles.map((q) => Math.round(100 * q));
  return {
    title: `${json.scenario.title}: sensitivity`,
    blocks: [
      { kind: 'heading', level: 1, text: `${json.scenario.title}: which assumptions drive ${json.run.metric}` },
      { kind: 'paragraph', text: intro(json), muted: true },
      { kind: 'heading', level: 2, text: 'In words' },
      { kind: 'list', items: sensitivityStatements(json) },
      ...Object.entries(json.policies).flatMap(([policy, p]): Block[] => [
        { kind: 'heading', level: 2, text: policy },
        ...when(p.tornado, { kind: 'paragraph', text: `Tornado: each input at its ${qLo}th and ${qHi}th percentile; intervals are of the paired change from the base run (mean ${fmt(json)(p.base_mean)}).` }, { kind: 'table', table: tornadoTable(json, policy), className: 'tornado' }),
        ...when(p.settings, { kind: 'paragraph', text: "Settings at two values of the expert's choice (not uncertainty: no distribution is drawn for them); intervals are of the paired change from the base run:" }, { kind: 'table', table: settingsTable(json, policy), className: 'settings' }),
        ...when(p.rank, { kind: 'paragraph', text: 'Rank correlations (base run):' }, { kind: 'table', table: rankTable(json, policy), className: 'rank' }),
        ...when(p.sobol, { kind: 'paragraph', text: `Sobol indices (${json.run.sobol_estimators}):` }, { kind: 'table', table: sobolTable(json, policy), className: 'sobol' }),
      ]),
      { kind: 'heading', level: 2, text: 'Charts' },
      { kind: 'figures', charts },
    ],
  };
}

/** What `accessgap sensitivity` prints. */
export function sensitivityHeadline(json: SensitivityJson): Document {
  return {
    title: json.scenario.title,
    blocks: [
      { kind: 'lines', lines: [`${json.scenario.title}: which assumptions drive ${json.run.metric}`, intro(json)] },
      { kind: 'lines', lines: sensitivityStatements(json) },
    ],
  };
}
