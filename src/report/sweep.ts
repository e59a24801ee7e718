/**
 * A sweep's report folder: sweep.json (accessgap/sweep@1), sweep.csv, marginal.csv (one input),
 * charts, and its document (summary.md, report.html) and printed table.
 */
import type { LoadedScenario } from '../scenario/load.js';
import type { StudyResult } from '../study/run.js';
import type { PrecisionOutcome } from '../study/precision.js';
import { isDuration, sweepJson, unit, type MarginalRow, type Paired, type SweepAxis, type SweepJson } from '../analysis/sweep.js';
import { addChartFiles } from '../charts/render.js';
import { sweepCharts } from '../charts/sweep.js';
import type { Chart } from '../charts/specs.js';
import { csvNumber as csv, formatMoney } from '../format.js';
import { timingJson } from './timing.js';
import { reproduceCommand } from './reproduce.js';
import { when, type Document } from './document.js';
import { renderMarkdown } from './render/markdown.js';
import { folderSvgs, renderHtml } from './render/html.js';
import { renderText } from './render/text.js';
import type { Table } from './tables.js';


export async function buildSweepFiles(
  loaded: LoadedScenario,
  axes: SweepAxis[],
  points: number[][],
  study: StudyResult,
  run: { seed: number; paths: number; threads: number; wallSeconds: number; median: number; precision?: PrecisionOutcome },
): Promise<{ files: Map<string, string | Uint8Array>; json: SweepJson; printed: string }> {
  const json = sweepJson(loaded, axes, points, study, run);
  const files = new Map<string, string | Uint8Array>();
  files.set('sweep.json', JSON.stringify(json, null, 1) + '\n');
  files.set('timing.json', timingJson({ threads: run.threads, simulate_seconds: study.simulateSeconds, wall_seconds: run.wallSeconds }));
  files.set('sweep.csv', sweepCsv(json));
  if (json.marginal) files.set('marginal.csv', marginalCsv(json.marginal));
  const charts = sweepCharts(json);
  await addChartFiles(files, charts);
  const doc = sweepDocument(json, charts);
  files.set('summary.md', renderMarkdown(doc));
  files.set('report.html', renderHtml(doc, folderSvgs(files)));
  return { files, json, printed: renderText(sweepHeadline(json)) };
}

/** sweep.csv: point,<key>...,policy,metric,mean,se,ci95_lo,ci95_hi,p05,p25,p50,p75,p95 and the percentile intervals p05_lo ... p95_hi. */
export function sweepCsv(json: SweepJson): string {
  const keys = json.keys.map((k) => k.key);
  const rows = [['point', ...keys, 'policy', 'metric', 'mean', 'se', 'ci95_lo', 'ci95_hi', 'p05', 'p25', 'p50', 'p75', 'p95', 'p05_lo', 'p05_hi', 'p50_lo', 'p50_hi', 'p95_lo', 'p95_hi'].join(',')];
  for (const p of json.points) {
    for (const [policy, { metrics }] of Object.entries(p.policies)) {
      for (const [m, x] of Object.entries(metrics)) {
        rows.push([p.point, ...keys.map((k) => p.values[k]), policy, m, x.mean, csv(x.se), csv(x.ci95?.[0]), csv(x.ci95?.[1]), x.p05, x.p25, x.p50, x.p75, x.p95, ...x.p05_ci95, ...x.p50_ci95, ...x.p95_ci95].join(','));
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

/** The marginal table: per unit between consecutive points, total harm. */
function marginalTable(json: SweepJson): Table | undefined {
  if (!json.marginal) return undefined;
  const money = (v: number) => formatMoney(v, json.scenario.currency);
  return {
    head: ['policy', 'from', 'to', `total harm per ${unit(json)} [95% CI]`],
    rows: json.marginal.filter((r) => r.metric === 'total_harm').map((r) => [r.policy, String(r.from), String(r.to), withInterval(r.per_unit, money)]),
  };
}

const provenanceLines = (json: SweepJson) => [
  `Scenario ${json.scenario.name}: ${json.scenario.file}, sha256 ${json.scenario.sha256}.`,
  `${json.run.paths.toLocaleString('en-US')} paths at each of ${json.points.length} points, seed ${json.run.seed}, engine accessgap ${json.run.version}; ${json.run.shared_butfor ? 'one pass, every point sharing the but-for world of each path' : `${json.run.passes} passes on the same paths`}.`,
  `Reproduce: ${reproduceCommand('sweep', json.scenario.file, json.keys.flatMap((k) => ['--vary', `${k.key}=${k.points.join(',')}`]), json.run)}`,
];

export function sweepDocument(json: SweepJson, charts: Chart[]): Document {
  const marginal = marginalTable(json);
  const [a, b, reproduce] = provenanceLines(json);
  const statements = sweepStatements(json);
  return {
    title: `${json.scenario.title}: sweep`,
    blocks: [
      { kind: 'heading', level: 1, text: `${json.scenario.title}: sweep of ${json.keys.map((k) => k.key).join(' x ')}` },
      { kind: 'paragraph', text: `${a} ${b}`, muted: true },
      ...when(json.warnings.length, { kind: 'note', title: 'Warnings', items: json.warnings }),
      { kind: 'heading', level: 2, text: 'What each point costs' },
      { kind: 'paragraph', text: 'Every point runs on the same paths: each other input keeps its distribution and its draws, so differences between points are paired path by path.' },
      ...when(statements.length, { kind: 'list', items: statements }),
      ...when(json.keys.length === 1 && json.keys[0].key.startsWith('simulation.'), { kind: 'paragraph', text: settingStatement(json) }),
      { kind: 'paragraph', text: 'Mean total harm (present value at day 0):' },
      { kind: 'table', table: harmTable(json), className: 'sweep' },
      ...when(marginal, { kind: 'heading', level: 2, text: 'Per unit between consecutive points' }, { kind: 'table', table: marginal!, className: 'marginal' }),
      { kind: 'heading', level: 2, text: 'Charts' },
      { kind: 'figures', charts },
      { kind: 'heading', level: 2, text: 'Files' },
      {
        kind: 'paragraph',
        text: `\`sweep.json\` (schema accessgap/sweep@1) and \`sweep.csv\` hold every metric at every point${json.marginal ? '; `marginal.csv` the paired change per unit between consecutive points, with standard errors from the per-path differences' : ''}.`,
      },
      { kind: 'heading', level: 2, text: 'Reproduction' },
      { kind: 'command', text: reproduce },
    ],
  };
}

/**
 * A sweep of a setting (the expert's choice, not an uncertainty): how the but-for firm value, what
 * there is to lose, moves with it from the first point to the last.
 */
export function settingStatement(json: SweepJson): string {
  const money = (v: number) => formatMoney(v, json.scenario.currency);
  const k = json.keys[0];
  const [first, last] = [json.butfor_value[0], json.butfor_value[json.butfor_value.length - 1]];
  const change = first !== 0 ? ` (${last >= first ? '+' : ''}${((100 * (last - first)) / first).toFixed(1)}%)` : '';
  return `${k.key} is a setting, the expert's choice rather than an uncertainty: every point runs the same paths. The but-for firm value moves from ${money(first)} at ${k.points[0]} to ${money(last)} at ${k.points[k.points.length - 1]}${change}, and the harm with it.`;
}

/** What `accessgap sweep` prints: mean total harm per point and policy, then the statements. */
export function sweepHeadline(json: SweepJson): Document {
  return {
    title: json.scenario.title,
    blocks: [
      {
        kind: 'lines',
        lines: [
          `${json.scenario.title}: sweep of ${json.keys.map((k) => k.key).join(' x ')}`,
          `${json.run.paths.toLocaleString('en-US')} paths at each of ${json.points.length} points, seed ${json.run.seed}, the same paths at every point; mean total harm (present value)`,
        ],
      },
      { kind: 'table', table: harmTable(json), className: 'sweep' },
      ...when(json.statements, { kind: 'list', items: sweepStatements(json) }),
      ...when(json.keys.length === 1 && json.keys[0].key.startsWith('simulation.'), { kind: 'paragraph', text: settingStatement(json) }),
      ...when(json.warnings.length, { kind: 'note', title: 'Warnings', items: json.warnings }),
    ],
  };
}
