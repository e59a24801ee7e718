/**
 * A sweep's report folder: sweep.json (accessgap/sweep@1), sweep.csv, marginal.csv (one input),
 * charts in the house style, summary.md and report.html, and the printed table.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { StudyResult } from '../study/run.js';
import type { PrecisionOutcome } from '../study/precision.js';
import { curveStatements, marginalRows, pointSummaries, type CurveStatements, type MarginalRow, type Paired, type SweepAxis } from '../analysis/sweep.js';
import type { Metric } from '../model/metrics.js';
import type { Summary } from '../stats/summary.js';
import { addChartFiles } from '../charts/render.js';
import { chartSet, moneyAxis, MONEY_FORMAT, policyColor } from '../charts/theme.js';
import type { Chart } from '../charts/specs.js';
import { VERSION } from '../version.js';
import { formatMoney } from './format.js';
import { esc, table as mdTable } from './markdown.js';
import { chartFigures, escapeHtml, htmlPage, table as htmlTable } from './html.js';
import type { Table } from './tables.js';

export interface SweepJson {
  schema: 'accessgap/sweep@1';
  scenario: { name: string; title: string; file: string; sha256: string; currency: string };
  run: { seed: number; paths: number; version: string; passes: number; shared_butfor: boolean; precision?: PrecisionOutcome; timing: { threads: number; simulate_seconds: number; wall_seconds: number } };
  keys: { key: string; points: number[] }[];
  points: { point: number; values: Record<string, number>; policies: Record<string, { metrics: Record<string, Summary> }> }[];
  /** One input only: the paired change per unit between consecutive points. */
  marginal?: MarginalRow[];
  /** One input only: statements per policy (from total harm), at the median of the input. */
  statements?: CurveStatements[];
}

const csv = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));
const MARGINAL_METRICS: readonly Metric[] = ['total_harm', 'owner_harm', 'pv_lost_profit', 'lost_revenue', 'attributable_insolvency', 'insolvent'];

export async function buildSweepFiles(
  loaded: LoadedScenario,
  axes: SweepAxis[],
  points: number[][],
  study: StudyResult,
  run: { seed: number; paths: number; threads: number; wallSeconds: number; median: number; precision?: PrecisionOutcome },
): Promise<{ files: Map<string, string | Uint8Array>; json: SweepJson }> {
  const s = loaded.scenario;
  const summaries = pointSummaries(study.values, study.metrics);
  const oneWay = axes.length === 1;
  const json: SweepJson = {
    schema: 'accessgap/sweep@1',
    scenario: { name: s.name, title: s.title, file: s.file, sha256: s.sha256, currency: s.currency },
    run: { seed: run.seed, paths: run.paths, version: VERSION, passes: study.passes, shared_butfor: study.sharedButfor, ...(run.precision ? { precision: run.precision } : {}), timing: { threads: run.threads, simulate_seconds: study.simulateSeconds, wall_seconds: run.wallSeconds } },
    keys: axes.map((a) => ({ key: a.key, points: a.points })),
    points: points.map((p, v) => ({
      point: v,
      values: Object.fromEntries(axes.map((a, i) => [a.key, p[i]])),
      policies: Object.fromEntries(study.policies.map((name, i) => [name, { metrics: summaries[v][i] }])),
    })),
    ...(oneWay
      ? {
          marginal: marginalRows(axes[0], study.policies, study.metrics, study.values, MARGINAL_METRICS),
          statements: curveStatements(axes[0], study.policies, study.metrics, study.values, run.median),
        }
      : {}),
  };
  const files = new Map<string, string | Uint8Array>();
  files.set('sweep.json', JSON.stringify(json, null, 1) + '\n');
  files.set('sweep.csv', sweepCsv(json));
  if (json.marginal) files.set('marginal.csv', marginalCsv(json.marginal));
  const charts = sweepCharts(json);
  await addChartFiles(files, charts);
  files.set('summary.md', sweepMarkdown(json, charts));
  files.set('report.html', sweepHtml(json, charts));
  return { files, json };
}

/** sweep.csv: point,<key>...,policy,metric,mean,se,ci95_lo,ci95_hi,p05,p50,p95. */
export function sweepCsv(json: SweepJson): string {
  const keys = json.keys.map((k) => k.key);
  const rows = [['point', ...keys, 'policy', 'metric', 'mean', 'se', 'ci95_lo', 'ci95_hi', 'p05', 'p25', 'p50', 'p75', 'p95'].join(',')];
  for (const p of json.points) {
    for (const [policy, { metrics }] of Object.entries(p.policies)) {
      for (const [m, x] of Object.entries(metrics)) {
        rows.push([p.point, ...keys.map((k) => p.values[k]), policy, m, x.mean, csv(x.se), csv(x.ci95?.[0]), csv(x.ci95?.[1]), x.p05, x.p25, x.p50, x.p75, x.p95].join(','));
      }
    }
  }
  return rows.join('\n') + '\n';
}

/** marginal.csv: policy,metric,from,to,per_unit_mean,per_unit_se,per_unit_ci95_lo,per_unit_ci95_hi. */
export function marginalCsv(rows: MarginalRow[]): string {
  const out = ['policy,metric,from,to,per_unit_mean,per_unit_se,per_unit_ci95_lo,per_unit_ci95_hi'];
  for (const r of rows) out.push([r.policy, r.metric, r.from, r.to, r.per_unit.mean, csv(r.per_unit.se), csv(r.per_unit.ci95?.[0]), csv(r.per_unit.ci95?.[1])].join(','));
  return out.join('\n') + '\n';
}

const isDuration = (json: SweepJson) => json.keys.length === 1 && json.keys[0].key === 'revocation.duration_days';
const unit = (json: SweepJson) => (isDuration(json) ? 'day' : `unit of ${json.keys[0].key}`);
const withInterval = (x: Paired, f: (v: number) => string) => `${f(x.mean)}${x.ci95 ? ` [${f(x.ci95[0])}, ${f(x.ci95[1])}]` : ''}`;

/** The statements in words, per policy. */
export function sweepStatements(json: SweepJson): string[] {
  if (!json.statements) return [];
  const money = (v: number) => formatMoney(v, json.scenario.currency);
  const key = json.keys[0];
  const u = unit(json);
  return json.statements.map((st) => {
    if (st.harm.every((h) => h.mean === 0) && st.avoided.every((a) => a.mean === 0)) return `${st.policy}: no harm at any point (the policy cuts this firm off from nothing).`;
    const parts: string[] = [];
    parts.push(`expected total harm ${key.points.map((x, i) => `${money(st.harm[i].mean)} at ${x}`).join(', ')}`);
    if (st.perDay) {
      const at = `at the scenario's median ${isDuration(json) ? 'duration' : key.key} (${Number(st.at.toPrecision(4))})`;
      parts.push(
        isDuration(json)
          ? `one more day costs ${withInterval(st.perDay, money)}, one more week ${withInterval(st.perWeek!, money)}, one more month ${withInterval(st.perMonth!, money)} ${at}`
          : `each ${u} adds ${withInterval(st.perDay, money)} ${at}`,
      );
    }
    if (st.compounding) {
      const c = st.compounding;
      const verdict = c.ci95 && c.ci95[0] > 1 ? 'rises: the harm compounds' : c.ci95 && c.ci95[1] < 1 ? 'falls' : 'is not clearly different';
      parts.push(`the cost per ${u} ${verdict} from the first third of the range (${money(c.first.mean)}) to the last (${money(c.last.mean)}): ratio ${c.ratio.toFixed(2)}${c.ci95 ? ` [${c.ci95[0].toFixed(2)}, ${c.ci95[1].toFixed(2)}]` : ''}`);
    }
    const last = key.points[key.points.length - 1];
    parts.push(`stopping at ${key.points.slice(0, -1).map((x, i) => `${x} instead of ${last} avoids ${withInterval(st.avoided[i], money)}`).join('; ')}`);
    return `${st.policy}: ${parts.join('; ')}.`;
  });
}

/** Mean total harm per policy at each point (the printed table and the reports). */
export function harmTable(json: SweepJson): Table {
  const money = (v: number) => formatMoney(v, json.scenario.currency);
  const keys = json.keys.map((k) => k.key);
  const policies = Object.keys(json.points[0]?.policies ?? {});
  return {
    head: [...keys, ...policies],
    rows: json.points.map((p) => [...keys.map((k) => String(p.values[k])), ...policies.map((name) => money(p.policies[name].metrics.total_harm.mean))]),
  };
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

/** The table printed after a sweep: mean total harm per point and policy, then the statements. */
export function sweepTable(json: SweepJson): string {
  const t = harmTable(json);
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i])).join('  ').trimEnd();
  return [
    `${json.scenario.title}: sweep of ${json.keys.map((k) => k.key).join(' x ')}`,
    `${json.run.paths.toLocaleString('en-US')} paths at each of ${json.points.length} points, seed ${json.run.seed}, the same paths at every point; mean total harm (present value)`,
    '',
    line(t.head),
    line(widths.map((w) => '-'.repeat(w))),
    ...t.rows.map(line),
    ...(json.statements ? ['', ...sweepStatements(json)] : []),
  ].join('\n');
}

/** The marginal table: per unit between consecutive points, total harm. */
function marginalTable(json: SweepJson): Table | undefined {
  if (!json.marginal) return undefined;
  const money = (v: number) => formatMoney(v, json.scenario.currency);
  return {
    head: ['policy', 'from', 'to', `total harm per ${unit(json)} [95% CI]`],
    rows: json.marginal.filter((r) => r.metric === 'total_harm').map((r) => [r.policy, String(r.from), String(r.to), withInterval(r.per_unit, money)]),
  };
}

/** The charts of a sweep: harm, marginal harm and probabilities against the input; a heatmap for two. */
export function sweepCharts(json: SweepJson): Chart[] {
  const policies = Object.keys(json.points[0]?.policies ?? {});
  const { ctx, charts, add } = chartSet({ ...json.run, ...json.scenario }, policies);
  const cur = json.scenario.currency;
  const keys = json.keys.map((k) => k.key);
  if (keys.length === 1) {
    const key = keys[0];
    const x = { field: 'x', type: 'quantitative' as const, title: isDuration(json) ? 'Days without access' : key };
    const harm = json.points.flatMap((p) => policies.map((policy) => ({ policy, x: p.values[key], ...pick(p.policies[policy].metrics.total_harm) })));
    const facet = { field: 'policy', type: 'nominal' as const, title: null, sort: policies };
    const columns = policies.length <= 2 ? policies.length : policies.length <= 4 ? 2 : 3;
    add('sweep-harm', 'Total harm against the swept input', 'Per policy: mean total harm (line), 25th to 75th percentile (dark band) and 5th to 95th percentile (light band) across paths, on the same paths at every point.', {
      data: { values: harm },
      facet,
      columns,
      spec: {
        width: 230,
        height: 150,
        layer: [
          { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'p05', type: 'quantitative', ...moneyAxis(`Total harm (${cur})`) }, y2: { field: 'p95' }, color: policyColor(ctx) } },
          { mark: { type: 'area', opacity: 0.3 }, encoding: { x, y: { field: 'p25', type: 'quantitative' }, y2: { field: 'p75' }, color: policyColor(ctx) } },
          { mark: { type: 'line', strokeWidth: 2, point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: policyColor(ctx), tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'x', type: 'quantitative', title: key }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }] } },
        ],
      },
    });
    const marginal = (json.marginal ?? []).filter((r) => r.metric === 'total_harm').map((r) => ({ policy: r.policy, x: (r.from + r.to) / 2, mean: r.per_unit.mean, lo: r.per_unit.ci95?.[0] ?? r.per_unit.mean, hi: r.per_unit.ci95?.[1] ?? r.per_unit.mean }));
    add('sweep-marginal', `Harm of one more ${unit(json)}`, `Paired change in mean total harm per ${unit(json)} between consecutive points (dot, at the middle of the step) with its 95% interval, from the per-path differences.`, {
      data: { values: marginal },
      facet,
      columns,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 230,
        height: 150,
        layer: [
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', ...moneyAxis(`Per ${unit(json)} (${cur})`) }, y2: { field: 'hi' }, color: policyColor(ctx) } },
          { mark: { type: 'line', point: true, strokeWidth: 1.5 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: policyColor(ctx), tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'x', type: 'quantitative' }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }] } },
        ],
      },
    });
    const probs = json.points.flatMap((p) =>
      policies.flatMap((policy) => {
        const m = p.policies[policy].metrics;
        const after = m.lost_revenue.mean > 0 ? m.lost_revenue_after_restoration.mean / m.lost_revenue.mean : 0;
        return [
          { policy, x: p.values[key], panel: 'P(insolvent because of it)', value: m.attributable_insolvency.mean },
          { policy, x: p.values[key], panel: 'Lost revenue after return', value: after },
        ];
      }),
    );
    add('sweep-probabilities', 'Insolvency and harm after restoration against the swept input', 'Probability that the policy causes insolvency within the horizon, and the share of expected lost revenue that falls after access returns (ratio of means).', {
      data: { values: probs },
      facet: { field: 'panel', type: 'nominal', title: null },
      columns: 2,
      resolve: { scale: { y: 'independent' } },
      spec: { width: 300, height: 200, mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y: { field: 'value', type: 'quantitative', title: null, axis: { format: '.1~%' } }, color: { ...policyColor(ctx), legend: { title: null, orient: 'bottom', columns: 4 } }, tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'x', type: 'quantitative' }, { field: 'value', type: 'quantitative', format: '.2%' }] } },
    });
  } else {
    const [k1, k2] = keys;
    const cells = json.points.flatMap((p) => policies.map((policy) => ({ policy, a: p.values[k1], b: p.values[k2], mean: p.policies[policy].metrics.total_harm.mean })));
    add('sweep-heatmap', 'Mean total harm over two inputs', `Mean total harm per policy at every combination of ${k1} and ${k2}, on the same paths.`, {
      data: { values: cells },
      facet: { field: 'policy', type: 'nominal', title: null, sort: policies },
      columns: Math.min(3, policies.length),
      spec: {
        width: 220,
        height: 180,
        mark: 'rect',
        encoding: {
          x: { field: 'a', type: 'ordinal', title: k1 },
          y: { field: 'b', type: 'ordinal', title: k2, sort: 'descending' },
          color: { field: 'mean', type: 'quantitative', title: `Mean total harm (${cur})`, legend: { format: MONEY_FORMAT } },
          tooltip: [{ field: 'a', type: 'quantitative', title: k1 }, { field: 'b', type: 'quantitative', title: k2 }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }],
        },
      },
    });
  }
  return charts;
}

const pick = (x: Summary) => ({ mean: x.mean, p05: x.p05, p25: x.p25, p50: x.p50, p75: x.p75, p95: x.p95 });

const provenanceLines = (json: SweepJson) => [
  `Scenario ${json.scenario.name}: ${json.scenario.file}, sha256 ${json.scenario.sha256}.`,
  `${json.run.paths.toLocaleString('en-US')} paths at each of ${json.points.length} points, seed ${json.run.seed}, engine accessgap ${json.run.version}; ${json.run.shared_butfor ? 'one pass, every point sharing the but-for world of each path' : `${json.run.passes} passes on the same paths`}.`,
  `Reproduce: npx accessgap sweep ${json.scenario.file} ${json.keys.map((k) => `--vary ${k.key}=${k.points.join(',')}`).join(' ')} --paths ${json.run.paths} --seed ${json.run.seed}`,
];

export function sweepMarkdown(json: SweepJson, charts: Chart[]): string {
  const marginal = marginalTable(json);
  return [
    `# ${esc(json.scenario.title)}: sweep of ${json.keys.map((k) => k.key).join(' x ')}`,
    '',
    provenanceLines(json).slice(0, 2).join(' '),
    '',
    '## What each point costs',
    '',
    'Every point runs on the same paths: each other input keeps its distribution and its draws, so differences between points are paired path by path.',
    '',
    ...sweepStatements(json).map((l) => `- ${esc(l)}`),
    ...(json.statements ? [''] : []),
    'Mean total harm (present value at day 0):',
    '',
    ...mdTable(harmTable(json)),
    '',
    ...(marginal ? ['## Per unit between consecutive points', '', ...mdTable(marginal), ''] : []),
    '## Charts',
    '',
    ...charts.flatMap((c) => [`![${esc(c.title)}](charts/${c.name}.png)`, '']),
    '## Files',
    '',
    '`sweep.json` (schema accessgap/sweep@1) and `sweep.csv` hold every metric at every point; `marginal.csv` the paired change per unit between consecutive points, with standard errors from the per-path differences.',
    '',
    '## Reproduction',
    '',
    provenanceLines(json)[2],
    '',
  ].join('\n');
}

export function sweepHtml(json: SweepJson, charts: Chart[]): string {
  const marginal = marginalTable(json);
  const [a, b, reproduce] = provenanceLines(json);
  return htmlPage(
    `${json.scenario.title}: sweep`,
    `<h1>${escapeHtml(json.scenario.title)}: sweep of ${escapeHtml(json.keys.map((k) => k.key).join(' x '))}</h1>
<p class="muted">${escapeHtml(a)} ${escapeHtml(b)}</p>
<h2>What each point costs</h2>
<p>Every point runs on the same paths: each other input keeps its distribution and its draws, so differences between points are paired path by path.</p>
${json.statements ? `<ul>${sweepStatements(json).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : ''}
<p>Mean total harm (present value at day 0):</p>
${htmlTable(harmTable(json), 'sweep')}
${marginal ? `<h2>Per unit between consecutive points</h2>${htmlTable(marginal, 'marginal')}` : ''}
<h2>Charts</h2>
${chartFigures(charts)}
<h2>Reproduction</h2>
<p><code>${escapeHtml(reproduce)}</code></p>`,
  );
}
