/**
 * A sensitivity analysis's folder: sensitivity.json (accessgap/sensitivity@1), tornado.csv,
 * rank.csv, sobol.csv, charts, and its document (summary.md, report.html) and printed summary.
 */
import { absRankInterval, clearEffect, separatedLeaders, swingInterval, type SensitivityJson } from '../analysis/sensitivity.js';
import { addChartFiles } from '../charts/render.js';
import { sensitivityCharts } from '../charts/sensitivity.js';
import type { Chart } from '../charts/specs.js';
import { MONEY_METRICS } from '../model/metrics.js';
import { csvNumber as csv, formatMoney, sig6 as n6 } from '../format.js';
import { timingJson } from './timing.js';
import { reproduceCommand } from './reproduce.js';
import { when, type Block, type Document } from './document.js';
import { renderMarkdown } from './render/markdown.js';
import { folderSvgs, renderHtml } from './render/html.js';
import { renderText } from './render/text.js';
import { plural, type Table } from './tables.js';


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

const names = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/**
 * In words, one finding a line, each prefixed by its policy: which inputs move the metric, said as
 * a ranking only where the intervals separate the leading inputs from the rest (a group that
 * stands apart is named as a group when its members' own intervals overlap); the share of the
 * variance the Sobol indices give them; and the inputs with no clear effect.
 */
export function sensitivityStatements(json: SensitivityJson): string[] {
  const f = fmt(json);
  const label = (key: string) => {
    const st = json.inputs.find((i) => i.key === key)?.status;
    return st ? `${key} (${st})` : key;
  };
  const m = json.run.metric;
  return Object.entries(json.policies).flatMap(([policy, p]) => {
    const flat = (p.tornado ?? []).every((r) => r.swing === 0) && (p.sobol ?? []).every((r) => r.ST === 0) && (p.rank ?? []).every((r) => r.spearman === 0);
    if (flat) return [`${policy}: ${m} does not vary on these paths (the policy cuts this firm off from nothing, or the metric is constant): no input drives it.`];
    const out: string[] = [];
    const tornado = p.tornado ?? [];
    if (tornado.length) {
      const lead = separatedLeaders(tornado, swingInterval);
      const clear = tornado.filter(clearEffect);
      const range = (r: (typeof tornado)[number]) => `${label(r.input)}, from ${f(r.mean_low)} to ${f(r.mean_high)}`;
      if (lead === 1) out.push(`${policy}: ${range(tornado[0])} moves ${m} most; its swing's 95% interval lies above every other input's.`);
      else if (lead > 1) out.push(`${policy}: ${names(tornado.slice(0, lead).map(range))} move ${m} more than any other input; their swings' intervals overlap, so they are not ranked among themselves.`);
      else if (clear.length) out.push(`${policy}: no input's swing stands apart from the others' within the Monte Carlo error; ${plural(clear.length, 'input')} with a clear effect, largest swing first but not ranked: ${clear.slice(0, 5).map((r) => r.input).join(', ')}${clear.length > 5 ? ` and ${clear.length - 5} more` : ''}. More paths would rank them.`);
    }
    const sobol = p.sobol ?? [];
    if (sobol.length) {
      const byS1 = [...sobol].sort((a, b) => b.S1 - a.S1);
      const lead = separatedLeaders(byS1, (r) => r.S1_ci95);
      if (lead > 0) {
        const share = byS1.slice(0, lead).reduce((acc, r) => acc + Math.max(0, r.S1), 0);
        out.push(`${policy}: by Sobol indices ${names(byS1.slice(0, lead).map((r) => `${r.input} (first order ${r.S1.toFixed(2)} [${r.S1_ci95[0].toFixed(2)}, ${r.S1_ci95[1].toFixed(2)}], total ${r.ST.toFixed(2)})`))} ${lead === 1 ? 'explains' : 'explain'} ${(100 * Math.min(1, share)).toFixed(0)}% of its variance alone, apart from every other input.`);
      } else out.push(`${policy}: no input's first-order Sobol index stands apart from the others' within their intervals (sobol.csv has them all).`);
    }
    const ranked = [...(p.rank ?? [])].sort((a, b) => Math.abs(b.spearman) - Math.abs(a.spearman));
    if (ranked.length && !sobol.length) {
      const lead = separatedLeaders(ranked, absRankInterval);
      if (lead > 0) {
        const share = ranked.slice(0, lead).reduce((acc, r) => acc + r.spearman * r.spearman, 0);
        out.push(`${policy}: by rank correlation ${names(ranked.slice(0, lead).map((r) => `${r.input} (${r.spearman.toFixed(2)})`))} ${lead === 1 ? 'stands' : 'stand'} apart, ${(100 * Math.min(1, share)).toFixed(0)}% of the variance of its ranks (sum of squared rank correlations).`);
      } else if (!tornado.length) out.push(`${policy}: no input's rank correlation stands apart from the others' within their intervals.`);
    }
    const idle = tornado.filter((r) => !clearEffect(r));
    if (idle.length) out.push(`${policy}: no clear effect (within the Monte Carlo error) from ${idle.map((r) => r.input).join(', ')}.`);
    if (!out.length) out.push(`${policy}: ${m} does not vary.`);
    return out;
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
  files.set('report.html', renderHtml(doc, folderSvgs(files)));
  return { files, printed: renderText(sensitivityHeadline(json)) };
}

const intro = (json: SensitivityJson) =>
  `${json.run.paths.toLocaleString('en-US')} paths per run${json.run.tornado_paths !== undefined && json.run.tornado_paths < json.run.paths ? ` (the tornado on the first ${json.run.tornado_paths.toLocaleString('en-US')})` : ''}, seed ${json.run.seed}, ${json.run.passes} engine passes on the same paths; metric ${json.run.metric}; ${json.inputs.length} uncertain inputs (numbers and expressions are not varied: an expression varies through its inputs). Scenario ${json.scenario.file}, sha256 ${json.scenario.sha256}; engine accessgap ${json.run.version}.`;

/** The command that reproduces the analysis (every flag that changes a number). */
export function sensitivityReproduce(json: SensitivityJson): string {
  const first = Object.values(json.policies)[0];
  const own = [
    ...Object.keys(json.policies).flatMap((p) => ['--policy', p]),
    '--metric',
    json.run.metric,
    '--method',
    json.run.methods.length === 3 ? 'all' : json.run.methods[0],
    ...(json.run.methods.includes('tornado') ? ['--tornado-quantiles', json.run.tornado_quantiles.join(',')] : []),
    ...(json.run.tornado_paths !== undefined ? ['--tornado-paths', String(json.run.tornado_paths)] : []),
    ...(first?.settings ?? []).flatMap((r) => ['--setting', `${r.input}=${r.low_value},${r.high_value}`]),
    ...(json.run.sobol_paths !== undefined ? ['--sobol-paths', String(json.run.sobol_paths)] : []),
  ];
  return reproduceCommand('sensitivity', json.scenario.file, own, json.run);
}

export function sensitivityDocument(json: SensitivityJson, charts: Chart[]): Document {
  const [qLo, qHi] = json.run.tornado_quantiles.map((q) => Math.round(100 * q));
  return {
    title: `${json.scenario.title}: sensitivity`,
    blocks: [
      { kind: 'heading', level: 1, text: `${json.scenario.title}: which assumptions drive ${json.run.metric}` },
      { kind: 'paragraph', text: intro(json), muted: true },
      ...when(json.warnings.length, { kind: 'note', title: 'Warnings', items: json.warnings }),
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
      { kind: 'heading', level: 2, text: 'Reproduction' },
      { kind: 'command', text: `Reproduce: ${sensitivityReproduce(json)}` },
      { kind: 'paragraph', text: 'The same file, seed and flags give byte-identical files with any --threads, apart from timing.json and manifest.json (`accessgap verify` checks them).', muted: true },
    ],
  };
}

/**
 * The sensitivity analysis as one exhibit of the pack: what it ran, the findings in words, and per
 * policy the tornado (table and chart) and the rank correlations.
 */
export function sensitivityExhibit(json: SensitivityJson, charts: Chart[]): Block[] {
  const [qLo, qHi] = json.run.tornado_quantiles.map((q) => Math.round(100 * q));
  const chart = (name: string): Block[] => {
    const c = charts.find((x) => x.name === name);
    return c ? [{ kind: 'chart', chart: c }] : [];
  };
  return [
    { kind: 'paragraph', text: `Which uncertain inputs move ${json.run.metric}: ${intro(json)} Each input is fixed at its ${qLo}th and then its ${qHi}th percentile, every other input drawn as usual on the same paths; intervals are of the paired change from the base run (Monte Carlo precision). accessgap sensitivity gives more methods (Sobol indices) and policies.` },
    ...when(json.warnings.length, { kind: 'note', title: 'Warnings', items: json.warnings }),
    { kind: 'list', items: sensitivityStatements(json) },
    ...Object.entries(json.policies).flatMap(([policy, p]): Block[] => [
      ...(Object.keys(json.policies).length > 1 ? [{ kind: 'heading', level: 3, text: policy } as const] : []),
      ...when(p.tornado, { kind: 'table', table: tornadoTable(json, policy), className: 'tornado' }),
      ...chart(`tornado-${policy}`),
    ]),
    ...chart('rank-correlations'),
    { kind: 'command', text: `Reproduce: ${sensitivityReproduce(json)}` },
  ];
}

/** What `accessgap sensitivity` prints. */
export function sensitivityHeadline(json: SensitivityJson): Document {
  return {
    title: json.scenario.title,
    blocks: [
      { kind: 'lines', lines: [`${json.scenario.title}: which assumptions drive ${json.run.metric}`, intro(json)] },
      { kind: 'list', items: sensitivityStatements(json) },
      ...when(json.warnings.length, { kind: 'note', title: 'Warnings', items: json.warnings }),
    ],
  };
}
