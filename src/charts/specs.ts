/**
 * The report's charts as Vega-Lite specs with their data inline. Each has a numbered title, a
 * subtitle saying in words what is shown, axis titles with units, one colour per world (the same
 * in every chart), and a source line (scenario, sha256, seed, paths, engine version).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../engine/run.js';
import type { Scenario } from '../scenario/types.js';
import { calendarOf } from '../scenario/calendar.js';
import { solventRevenue, type SeriesRow, type SummaryJson } from '../analysis/run.js';
import { addMonths, dateOfDay, dayOfDate, formatDate, formatMoney, formatShare, type Calendar } from '../format.js';
import { cdfs, convergence, histograms, seriesOf } from './data.js';
import { HARM_PARTS } from '../model/metrics.js';
import { BUTFOR_DASH, LINE_SYMBOL, config, moneyAxis, MONEY_FORMAT, policyColor, policyDash, policyLegendLabel, title, worldColor, worldDash, type ChartContext } from './theme.js';

export interface Chart {
  /** File stem: charts/<name>.vl.json, .svg, .png. */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const PANEL_W = 230;
const PANEL_H = 150;

const money = (ctx: ChartContext, x: number) => formatMoney(x, ctx.currency);

/** The model's days on the calendar (exhibit.revocation_date), and the events the time charts mark. */
export interface ChartCalendar extends Calendar {
  events: { date: string; label: string }[];
}

/**
 * The day axis, spanning exactly the horizon; with a calendar, ticks on the first of a month
 * (every k months, at most 8 ticks) labelled with the month, the axis still in days.
 */
function dayAxis(T: number, calendar?: Calendar) {
  const base = { field: 'day', type: 'quantitative' as const, scale: { domain: [0, Math.max(1, T - 1)], nice: false } };
  if (!calendar) return { ...base, title: 'Day since the start of the horizon' };
  const firsts: number[] = [];
  for (let d = dateOfDay(calendar, 0).slice(0, 8) + '01'; dayOfDate(calendar, d) <= T - 1; d = addMonths(d, 1)) if (dayOfDate(calendar, d) >= 0) firsts.push(dayOfDate(calendar, d));
  const every = Math.max(1, Math.ceil(firsts.length / 8));
  const day0 = Date.parse(`${dateOfDay(calendar, 0)}T00:00:00Z`);
  return {
    ...base,
    title: `Date (day 0 = ${formatDate(dateOfDay(calendar, 0))})`,
    axis: { values: firsts.filter((_, i) => i % every === 0), labelExpr: `utcFormat(${day0} + datum.value * 86400000, '%b %Y')` },
  };
}

/** A scenario's calendar for its charts: exhibit.revocation_date is the date of revocation.start_day. */
export function chartCalendar(s: Scenario): ChartCalendar | undefined {
  const calendar = calendarOf(s);
  return calendar && { ...calendar, events: s.exhibit?.events ?? [] };
}

/** The events of a calendar within the horizon, as rows of a chart's data (per panel for a faceted chart). */
function eventRows(cal: ChartCalendar | undefined, T: number, panels: (string | undefined)[] = [undefined]) {
  const events = (cal?.events ?? []).map((e, i) => ({ day: dayOfDate(cal!, e.date), label: `${e.label} (${formatDate(e.date)})`, order: i })).filter((e) => e.day >= 0 && e.day <= T - 1);
  return panels.flatMap((panel) => events.map((e) => ({ ...e, kind: 'event', ...(panel === undefined ? {} : { panel }) })));
}

/** A dotted rule and a label at each event (rows of kind 'event'), labels stacked so close dates do not overlap. */
function eventLayers(DAY: ReturnType<typeof dayAxis>) {
  const only = { transform: [{ filter: "datum.kind === 'event'" }] };
  return [
    { ...only, mark: { type: 'rule' as const, color: '#333', strokeDash: [2, 2], strokeWidth: 1 }, encoding: { x: DAY } },
    { ...only, mark: { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 3, fontSize: 8, color: '#333' }, encoding: { x: DAY, y: { value: 0 }, yOffset: { field: 'order', type: 'quantitative' as const, scale: { domain: [0, 1], range: [2, 12] } }, text: { field: 'label' } } },
  ];
}

/** Median line and 25-75 and 5-95 bands of a series, coloured by the `world` field. */
function fanLayers(DAY: ReturnType<typeof dayAxis>, title: string, money: boolean, ctx: ChartContext, withButfor: boolean, points = false, moreTip: { field: string; type: 'quantitative'; title: string; format: string }[] = []) {
  const y = money ? moneyAxis(title) : { title };
  const color = withButfor ? worldColor(ctx) : policyColor(ctx, 'world');
  const tip = [
    { field: 'day', type: 'quantitative' as const, title: 'day' },
    { field: 'world', type: 'nominal' as const, title: 'world' },
    ...(['p05', 'p50', 'p95', 'mean'] as const).map((f) => ({ field: f, type: 'quantitative' as const, title: f === 'p50' ? 'median' : f, ...(money ? { format: MONEY_FORMAT } : {}) })),
    ...moreTip,
  ];
  return [
    { mark: { type: 'area' as const, opacity: 0.15 }, encoding: { x: DAY, y: { field: 'p05', type: 'quantitative' as const, ...y }, y2: { field: 'p95' }, color } },
    { mark: { type: 'area' as const, opacity: 0.3 }, encoding: { x: DAY, y: { field: 'p25', type: 'quantitative' as const }, y2: { field: 'p75' }, color } },
    // With a few stored days only (a horizon of a day or two), points show what lines cannot.
    { mark: { type: 'line' as const, strokeWidth: 2, point: points }, encoding: { x: DAY, y: { field: 'p50', type: 'quantitative' as const }, color, ...(withButfor ? worldDash(ctx) : policyDash(ctx, 'world')), tooltip: tip } },
  ];
}

function facet(ctx: ChartContext, field = 'panel') {
  return { field, type: 'nominal' as const, title: null, sort: ctx.policies, header: { labelExpr: policyLegendLabel(ctx) } };
}

/** Rounds the numbers of inline data (top level and nested views) to 6 significant digits: plenty for a chart. */
function compactData(spec: Record<string, unknown>): Record<string, unknown> {
  const round = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const data = obj.data as { values?: Record<string, unknown>[] } | undefined;
    if (data?.values) data.values = data.values.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, round(v)])));
    for (const key of ['hconcat', 'vconcat', 'layer', 'spec']) if (key in obj) visit(obj[key]);
  };
  visit(spec);
  return spec;
}

/**
 * A CDF's points within [lo, hi], each policy's line carried to the axis's ends at the share it
 * has reached there (vega's own clipping numbers its clip paths per process, so the SVG would not
 * be byte-identical from run to run).
 */
function withinAxis(rows: { policy: string; value: number; p: number }[], lo: number, hi: number) {
  const out: typeof rows = [];
  for (const policy of [...new Set(rows.map((r) => r.policy))]) {
    const own = rows.filter((r) => r.policy === policy);
    const before = own.filter((r) => r.value < lo);
    const inside = own.filter((r) => r.value >= lo && r.value <= hi);
    if (before.length) out.push({ policy, value: lo, p: before[before.length - 1].p });
    out.push(...inside);
    const last = inside.at(-1) ?? before.at(-1);
    if (last && own.some((r) => r.value > hi)) out.push({ policy, value: hi, p: last.p });
  }
  return out;
}

const columnsFor = (n: number) => (n <= 2 ? n : n <= 4 ? 2 : 3);

export function buildCharts(result: RunResult, summary: SummaryJson, rows: SeriesRow[], calendar?: ChartCalendar, { delayPending = false } = {}): Chart[] {
  const inRunOrder = result.plan.policies.map((p) => p.name);
  const sameAs = Object.fromEntries(inRunOrder.map((p, i) => [p, result.plan.aliasOf[i] < 0 ? undefined : result.plan.aliasOf[i] === 0 ? 'butfor' : inRunOrder[result.plan.aliasOf[i] - 1]]));
  // Hypothetical policies (worlds that did not happen) come after the others in every chart, named so.
  const hypothetical = (p: string) => summary.policies[p]?.status === 'hypothetical';
  const names = [...inRunOrder.filter((p) => !hypothetical(p)), ...inRunOrder.filter(hypothetical)];
  const ctx: ChartContext = { summary, policies: names, currency: summary.scenario.currency, sameAs };
  const few = result.plan.seriesDays.length <= 3;
  const T = result.plan.T;
  const s = summary;
  const base = { $schema: SCHEMA, config: config(ctx) };
  const cols = columnsFor(ctx.policies.length);
  const cur = ctx.currency;
  const DAY = dayAxis(result.plan.T, calendar);
  const events = (panels?: string[]) => eventRows(calendar, T, panels);
  const charts: Chart[] = [];
  // Figure numbers held for charts not drawn yet: the cost-of-delay chart while its sweep runs
  // (delayPending), so that the charts after it keep their numbers, and their specs, once it is in.
  let held = 0;
  const add = (name: string, heading: string, spec: Record<string, unknown>) => charts.push({ name, title: heading, spec: compactData({ ...base, ...spec }) as unknown as TopLevelSpec });
  /** The next figure's numbered title. */
  const fig = (text: string, subtitle: string) => title(charts.length + held + 1, text, subtitle, s);
  const bands = 'Line: median across paths; dark band: 25th to 75th percentile; light band: 5th to 95th percentile.';

  // 1. Cumulative present-value harm.
  const harm = seriesOf(rows, 'cumulative_pv_harm').filter((r) => r.policy !== 'butfor').map(({ policy, ...r }) => ({ ...r, panel: policy, world: policy, kind: 'series' }));
  const totals = ctx.policies.map((p) => ({ panel: p, world: p, kind: 'total', day: T - 1, total: s.policies[p].metrics.total_harm.p50 }));
  add('cumulative-harm', 'Cumulative present-value harm over time', {
    title: fig('Harm to date: cumulative present-value lost profit', `Lost profit to date, discounted to day 0, under each policy; it leaves out the terminal part valued at the horizon (the gap closing after it, firm value lost to insolvency). Diamond: the median total harm, terminal part included. ${bands} A band that falls or dips below zero is not an error: where the firm fails earlier in one world than in the other, a failed firm's losses stop, so on those paths the profit lost to date can shrink or turn negative.`),
    data: { values: [...harm, ...totals, ...events(ctx.policies)] },
    facet: facet(ctx),
    columns: cols,
    spec: {
      width: PANEL_W,
      height: PANEL_H,
      layer: [
        ...fanLayers(DAY, `PV harm (${cur})`, true, ctx, false, few).map((l) => ({ transform: [{ filter: "datum.kind === 'series'" }], ...l })),
        {
          transform: [{ filter: "datum.kind === 'total'" }],
          mark: { type: 'point', shape: 'diamond', filled: true, size: 90 },
          encoding: { x: DAY, y: { field: 'total', type: 'quantitative' }, color: policyColor(ctx, 'world'), tooltip: [{ field: 'world', type: 'nominal', title: 'policy' }, { field: 'total', type: 'quantitative', format: MONEY_FORMAT, title: 'median total harm' }] },
        },
        ...eventLayers(DAY),
      ],
    },
  });

  // 2. Where the harm comes from: the five parts of total harm (means).
  const partLabels: Record<string, string> = {
    harm_costs: 'switching and mitigation costs',
    harm_before_restoration: 'lost profit before access returns',
    harm_after_restoration: 'lost profit after access returns',
    pv_terminal_recovery: 'terminal: gap closing after the horizon',
    pv_terminal_insolvency: 'terminal: firm value lost to insolvency',
  };
  const parts = ctx.policies.flatMap((p) => HARM_PARTS.map((m, j) => ({ policy: p, part: partLabels[m], order: j, value: s.policies[p].metrics[m].mean })));
  const totalsByPolicy = ctx.policies.map((p) => ({ policy: p, total: s.policies[p].metrics.total_harm.mean }));
  add('harm-decomposition', 'Where the harm comes from', {
    title: fig('Where the harm comes from', 'Mean total harm per policy split into its five parts, which add up to it on every path; tick: the mean total harm. Terminal parts are valued at the horizon.'),
    width: 560,
    height: 28 * ctx.policies.length + 20,
    layer: [
      {
        data: { values: parts },
        mark: { type: 'bar', height: 16 },
        encoding: {
          y: { field: 'policy', type: 'nominal', title: null, sort: ctx.policies, axis: { labelLimit: 160 } },
          x: { field: 'value', type: 'quantitative', stack: 'zero', ...moneyAxis(`Mean harm (${cur}, present value at day 0)`) },
          color: { field: 'part', type: 'nominal', title: null, sort: HARM_PARTS.map((m) => partLabels[m]), scale: { domain: HARM_PARTS.map((m) => partLabels[m]), range: ['#999999', '#E69F00', '#D55E00', '#56B4E9', '#0072B2'] }, legend: { orient: 'bottom', direction: 'vertical', columns: 2 } },
          order: { field: 'order', type: 'quantitative' },
          tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'part', type: 'nominal' }, { field: 'value', type: 'quantitative', format: MONEY_FORMAT }],
        },
      },
      {
        data: { values: totalsByPolicy },
        mark: { type: 'tick', color: '#000', thickness: 2, size: 22 },
        encoding: { y: { field: 'policy', type: 'nominal', sort: ctx.policies }, x: { field: 'total', type: 'quantitative' }, tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'total', type: 'quantitative', format: MONEY_FORMAT, title: 'mean total harm' }] },
      },
    ],
  });

  // 3. Revenue: but-for against each policy, over the firms still trading.
  const revenue = solventRevenue(result);
  const revRows = ctx.policies.flatMap((p) => revenue.filter((r) => r.policy === p || r.policy === 'butfor').map(({ policy, ...r }) => ({ ...r, panel: p, world: policy, ...(calendar?.events.length ? { kind: 'series' } : {}) })));
  const solventTip = [{ field: 'solvent', type: 'quantitative' as const, title: 'share still solvent', format: '.1%' }];
  add('revenue', 'Revenue: but-for world against each policy', {
    title: fig('Revenue: but-for world against each policy', `Annualised revenue (365 x daily revenue) of the firms still solvent on each day, without the revocation (grey) and under each policy. A failed firm has no revenue and is left out here; the survival figure shows how many fail, and series.csv holds the quantiles over all paths. ${bands.replace('across paths', 'across solvent paths')}`),
    data: { values: [...revRows, ...events(ctx.policies)] },
    facet: facet(ctx),
    columns: cols,
    spec: {
      width: PANEL_W,
      height: PANEL_H,
      layer: calendar?.events.length
        ? [...fanLayers(DAY, `Revenue (${cur}/year)`, true, ctx, true, few, solventTip).map((l) => ({ transform: [{ filter: "datum.kind === 'series'" }], ...l })), ...eventLayers(DAY)]
        : fanLayers(DAY, `Revenue (${cur}/year)`, true, ctx, true, few, solventTip),
    },
  });

  // 3. Capability gap, with the revocation window.
  const start = result.plan.revocationStart;
  const gap = seriesOf(rows, 'capability_gap').filter((r) => r.policy !== 'butfor').map(({ policy, ...r }) => ({ ...r, panel: policy, world: policy, kind: 'series' }));
  const windows = ctx.policies.map((p) => ({ panel: p, world: p, kind: 'window', start, end: Math.min(result.plan.T - 1, start + s.policies[p].metrics.revoked_days.p50) }));
  add('capability-gap', 'Capability gap behind the frontier', {
    title: fig('Capability gap behind the frontier', `Staff-weighted gap in doublings of frontier capability. Shaded: revocation from ${calendar ? formatDate(dateOfDay(calendar, start)) : `day ${start}`} to its median end. ${bands}`),
    data: { values: [...gap, ...windows, ...events(ctx.policies)] },
    facet: facet(ctx),
    columns: cols,
    spec: {
      width: PANEL_W,
      height: PANEL_H,
      layer: [
        { transform: [{ filter: "datum.kind === 'window'" }], mark: { type: 'rect', color: '#000', opacity: 0.06 }, encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' } } },
        ...fanLayers(DAY, 'Gap (doublings)', false, ctx, false, few).map((l) => ({ transform: [{ filter: "datum.kind === 'series'" }], ...l })),
        ...eventLayers(DAY),
      ],
    },
  });

  // 4. Survival.
  const survival = seriesOf(rows, 'survival').map((r) => ({ day: r.day, world: r.policy, survival: r.mean, kind: 'series' }));
  // An axis of at least 10 percentage points down from 100%: small differences stay small, and
  // whole-percent tick labels stay distinct.
  const lowest = Math.min(1, ...survival.map((r) => r.survival));
  const floor = Math.max(0, Math.min(0.9, Math.floor((lowest - 0.02) * 20) / 20));
  const dash = worldDash(ctx);
  const identical = ctx.policies.filter((p) => ctx.sameAs[p]).map((p) => `${p} = ${ctx.sameAs[p] === 'butfor' ? 'but-for' : ctx.sameAs[p]}`);
  add('survival', 'Share of paths still solvent', {
    title: fig('Share of paths still solvent', `Share of simulated firms not yet insolvent on each day, without the revocation (grey, dashed) and under each policy.${identical.length ? ` Identical results, drawn on top of each other: ${identical.join('; ')}.` : ''} The axis starts at ${Math.round(100 * floor)}%.`),
    data: { values: [...survival, ...events()] },
    width: 640,
    height: 300,
    encoding: {
      x: DAY,
      y: { field: 'survival', type: 'quantitative', title: 'Solvent (share of paths)', axis: { format: '.0%', tickCount: 5 }, scale: { domain: [floor, 1], nice: false } },
      color: worldColor(ctx),
      tooltip: [{ field: 'world', type: 'nominal' }, { field: 'day', type: 'quantitative' }, { field: 'survival', type: 'quantitative', format: '.1%' }],
    },
    // The but-for line goes on top, dashed, so policies identical to it do not hide it.
    layer: [
      { transform: [{ filter: "datum.kind === 'series' && datum.world !== 'butfor'" }], mark: { type: 'line', strokeWidth: 2, point: few }, encoding: dash },
      { transform: [{ filter: "datum.kind === 'series' && datum.world === 'butfor'" }], mark: { type: 'line', strokeWidth: 2, strokeDash: BUTFOR_DASH, point: few } },
      ...eventLayers(DAY).map((l) => ({ ...l, encoding: { ...l.encoding, color: { value: '#333' } } })),
    ],
  });

  // 5. Distribution of total harm.
  const hist = histograms(result, 'total_harm');
  const beyondLabels = hist.beyond.flatMap((b) => [
    ...(b.above > 0 ? [{ policy: b.policy, kind: 'above', text: `${(100 * b.above).toFixed(1)}% above ${money(ctx, hist.hi)}` }] : []),
    ...(b.below > 0 ? [{ policy: b.policy, kind: 'below', text: `${(100 * b.below).toFixed(1)}% below ${money(ctx, hist.lo)}` }] : []),
  ]);
  const marks = ctx.policies.flatMap((p) => (['p05', 'p50', 'p95'] as const).map((q) => ({ policy: p, q: q === 'p50' ? 'median' : q, value: s.policies[p].metrics.total_harm[q] })));
  add('harm-distribution', 'Distribution of total harm', {
    title: fig('Distribution of total harm', 'Share of paths by total harm (PV lost profit + PV terminal loss); rules at the 5th percentile, median (solid) and 95th percentile. The axis spans the smallest 1st to the largest 95th percentile of the policies; the share of paths beyond either end is written in the panel, not drawn.'),
    facet: facet(ctx, 'policy'),
    columns: cols,
    data: { values: [...hist.rows.map((h) => ({ ...h, kind: 'bin' })), ...marks.map((m) => ({ ...m, kind: 'mark' })), ...beyondLabels] },
    spec: {
      width: PANEL_W,
      height: PANEL_H,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'bin'" }],
          mark: { type: 'rect' },
          encoding: {
            x: { field: 'x0', type: 'quantitative', ...moneyAxis(`Total harm (${cur})`) },
            x2: { field: 'x1' },
            y: { field: 'share', type: 'quantitative', title: 'Share of paths', axis: { format: '.0%' } },
            color: policyColor(ctx),
            tooltip: [{ field: 'x0', title: 'from', type: 'quantitative', format: MONEY_FORMAT }, { field: 'x1', title: 'to', type: 'quantitative', format: MONEY_FORMAT }, { field: 'share', type: 'quantitative', format: '.1%' }],
          },
        },
        {
          transform: [{ filter: "datum.kind === 'mark'" }],
          // The rules stop short of the panel's top, where the share beyond the axis is written.
          mark: { type: 'rule', color: '#222' },
          encoding: {
            x: { field: 'value', type: 'quantitative' },
            y: { value: beyondLabels.length ? 18 : 0 },
            y2: { value: PANEL_H },
            strokeDash: { field: 'q', type: 'nominal', scale: { domain: ['p05', 'median', 'p95'], range: [[4, 3], [1, 0], [4, 3]] }, legend: null },
            tooltip: [{ field: 'q', type: 'nominal', title: 'quantile' }, { field: 'value', type: 'quantitative', format: MONEY_FORMAT }],
          },
        },
        { transform: [{ filter: "datum.kind === 'above'" }], mark: { type: 'text', align: 'right', baseline: 'top', x: PANEL_W - 4, y: 4, fontSize: 10, color: '#333' }, encoding: { text: { field: 'text', type: 'nominal' } } },
        { transform: [{ filter: "datum.kind === 'below'" }], mark: { type: 'text', align: 'left', baseline: 'top', x: 4, y: 4, fontSize: 10, color: '#333' }, encoding: { text: { field: 'text', type: 'nominal' } } },
      ],
    },
  });

  // 6. CDF of total harm, on figure 6's axis: the tail past the largest 95th percentile is stated, not drawn.
  const overflow = hist.beyond.filter((b) => b.above > 0).map((b) => `${b.policy} ${formatShare(b.above)}`);
  add('harm-cdf', 'Cumulative distribution of total harm', {
    title: fig(
      'Cumulative distribution of total harm',
      `Share of paths whose total harm is at most the value on the horizontal axis, per policy (same paths for every policy). The axis spans the smallest 1st to the largest 95th percentile of the policies (as in figure 6), so at least 95% of every policy's paths are in view; the lines run on beyond it${overflow.length ? ` (paths above ${money(ctx, hist.hi)}: ${overflow.join(', ')})` : ''}.`,
    ),
    data: { values: withinAxis(cdfs(result, 'total_harm'), hist.lo, hist.hi) },
    width: 640,
    height: 320,
    mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
    encoding: {
      x: { field: 'value', type: 'quantitative', title: `Total harm (${cur})`, axis: { ...moneyAxis('').axis, tickCount: 8 }, scale: { domain: [hist.lo, hist.hi], nice: false } },
      y: { field: 'p', type: 'quantitative', title: 'Share of paths at or below', axis: { format: '.0%' } },
      color: { ...policyColor(ctx), legend: { title: null, labelExpr: policyLegendLabel(ctx), ...LINE_SYMBOL } },
      ...policyDash(ctx, 'policy', { title: null, labelExpr: policyLegendLabel(ctx), ...LINE_SYMBOL }),
      tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'value', type: 'quantitative', format: MONEY_FORMAT }, { field: 'p', type: 'quantitative', format: '.1%' }],
    },
  });

  // 7. Policy comparison.
  const cmp = ctx.policies.map((p) => {
    const m = s.policies[p].metrics;
    return {
      policy: p,
      harm_p05: m.total_harm.p05,
      harm_p50: m.total_harm.p50,
      harm_p95: m.total_harm.p95,
      harm_label: `${money(ctx, m.total_harm.p50)} (${money(ctx, m.total_harm.p05)} to ${money(ctx, m.total_harm.p95)})`,
      insolvent: m.attributable_insolvency.mean,
      insolvent_lo: m.attributable_insolvency.ci95?.[0] ?? m.attributable_insolvency.mean,
      insolvent_hi: m.attributable_insolvency.ci95?.[1] ?? m.attributable_insolvency.mean,
      after: s.policies[p].derived.after_restoration_revenue_share ?? 0,
    };
  });
  const access = ctx.policies.flatMap((p) => [
    { policy: p, kind: 'targeted (nationals of concern)', days: s.policies[p].metrics.targeted_access_days.mean },
    { policy: p, kind: 'collateral (everyone else)', days: s.policies[p].metrics.collateral_access_days.mean },
  ]);
  const yPolicy = { field: 'policy', type: 'nominal', title: null, sort: ctx.policies, axis: { labelLimit: 220, labelExpr: policyLegendLabel(ctx) } };
  // A probability axis from 0 to at least 1%, so that all-zero bars do not leave a lone tick mid-panel.
  const pMax = Math.max(0.01, ...cmp.map((c) => c.insolvent_hi));
  const panel = (heading: string, layer: unknown[], width = 170) => ({ width, height: 24 * ctx.policies.length + 20, title: { text: heading, fontSize: 12 }, layer });
  add('policy-comparison', 'Policies compared on the same paths', {
    title: fig('Policies compared on the same paths', `Total harm (dot: median; line: 5th to 95th percentile), probability of insolvency caused by the policy (bar, with 95% Wilson interval; the firm fails without any revocation on ${(100 * s.butfor.insolvency_probability).toFixed(1)}% of paths), share of expected lost revenue that falls after access returns, and person-days of access denied (means).`),
    data: { values: cmp },
    hconcat: [
      panel(`Total harm (${cur})`, [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y: yPolicy, x: { field: 'harm_p05', type: 'quantitative', ...moneyAxis('') }, x2: { field: 'harm_p95' }, color: policyColor(ctx) } },
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { y: yPolicy, x: { field: 'harm_p50', type: 'quantitative' }, color: policyColor(ctx), tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'harm_label', type: 'nominal', title: 'median (90% interval)' }] } },
      ]),
      panel('P(insolvent because of it)', [
        { mark: { type: 'bar', height: 14 }, encoding: { y: { ...yPolicy, axis: null }, x: { field: 'insolvent', type: 'quantitative', title: '', scale: { domain: [0, pMax] }, axis: { format: '.1~%', tickCount: 3 } }, color: policyColor(ctx), tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'insolvent', type: 'quantitative', format: '.2%' }] } },
        { mark: { type: 'rule', color: '#222' }, encoding: { y: { ...yPolicy, axis: null }, x: { field: 'insolvent_lo', type: 'quantitative' }, x2: { field: 'insolvent_hi' } } },
      ], 120),
      panel('Lost revenue after return', [
        { mark: { type: 'bar', height: 14 }, encoding: { y: { ...yPolicy, axis: null }, x: { field: 'after', type: 'quantitative', title: '', scale: { domain: [0, 1] }, axis: { format: '.0%' } }, color: policyColor(ctx), tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'after', type: 'quantitative', format: '.1%', title: 'share' }] } },
      ], 120),
      {
        width: 170,
        height: 24 * ctx.policies.length + 20,
        title: { text: 'Access denied (person-days)', fontSize: 12 },
        data: { values: access },
        mark: { type: 'bar', height: 14 },
        encoding: {
          y: { ...yPolicy, axis: null },
          x: { field: 'days', type: 'quantitative', title: '', stack: 'zero', axis: { format: ',.0f' } },
          color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['targeted (nationals of concern)', 'collateral (everyone else)'], range: ['#333333', '#bbbbbb'] }, legend: { orient: 'bottom', direction: 'vertical' } },
          tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'kind', type: 'nominal' }, { field: 'days', type: 'quantitative', format: ',.0f' }],
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  });

  // 8. Convergence.
  add('convergence', 'Convergence of the mean total harm', {
    title: fig('Convergence of the mean total harm', `Running mean of total harm over the first N paths (line) with +/- 2 standard errors (band); a flat line inside a narrow band means enough paths.${s.run.precision ? ` The run stopped at ${s.run.paths.toLocaleString('en-US')} paths (dashed line), ${s.run.precision.reason}: ${s.run.precision.rule}.` : ''}`),
    data: { values: convergence(result, 'total_harm') },
    facet: facet(ctx, 'policy'),
    columns: cols,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: PANEL_W,
      height: PANEL_H,
      layer: [
        { mark: { type: 'area', opacity: 0.2 }, encoding: { x: { field: 'paths', type: 'quantitative', title: 'Paths (log scale)', axis: { tickMinStep: 1 }, scale: { type: 'log', domain: [result.settings.paths >= 60 ? 30 : 1, Math.max(2, result.settings.paths)], nice: false } }, y: { field: 'lo', type: 'quantitative', ...moneyAxis(`Mean total harm (${cur})`) }, y2: { field: 'hi' }, color: policyColor(ctx) } },
        ...(s.run.precision ? [{ data: { values: [{ paths: s.run.paths }] }, mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#222' }, encoding: { x: { field: 'paths', type: 'quantitative' as const } } }] : []),
        { mark: { type: 'line', strokeWidth: 2, point: result.settings.paths < 60 }, encoding: { x: { field: 'paths', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' }, color: policyColor(ctx), tooltip: [{ field: 'paths', type: 'quantitative', format: ',' }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }, { field: 'lo', type: 'quantitative', format: MONEY_FORMAT, title: '-2 SE' }, { field: 'hi', type: 'quantitative', format: MONEY_FORMAT, title: '+2 SE' }] } },
      ],
    },
  });
  // 10. Cost of delay (the built-in duration sweep), when run.
  const delay = s.cost_of_delay;
  if (delay) {
    const points = ctx.policies.flatMap((p) => delay.durations.map((d, i) => ({ policy: p, days: d, mean: delay.policies[p].harm[i].mean, lo: delay.policies[p].harm[i].ci95?.[0] ?? delay.policies[p].harm[i].mean, hi: delay.policies[p].harm[i].ci95?.[1] ?? delay.policies[p].harm[i].mean })));
    const days = { field: 'days', type: 'quantitative' as const, title: 'Days without access' };
    // One legend for both layers (a layer without one would hide it).
    const delayColor = { ...policyColor(ctx), legend: { title: null, orient: 'bottom' as const, columns: 4, labelExpr: policyLegendLabel(ctx), ...LINE_SYMBOL } };
    add('cost-of-delay', 'Cost of delay', {
      title: fig('Cost of delay', `Mean total harm if access were cut off for each number of days (dots, with the 95% interval of the mean: the paired difference from no revocation, whose harm is 0 on every path), on the run's first ${delay.paths.toLocaleString('en-US')} paths; every other input as drawn; the firm's mitigation decision is the run's. The gap between two lengths is what an earlier restoration avoids. For any input and more points: accessgap sweep.`),
      data: { values: points },
      width: 560,
      height: 300,
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: days, y: { field: 'lo', type: 'quantitative', ...moneyAxis(`Mean total harm (${cur})`) }, y2: { field: 'hi' }, color: delayColor } },
        { mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x: days, y: { field: 'mean', type: 'quantitative' }, color: delayColor, ...policyDash(ctx, 'policy', delayColor.legend), tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'days', type: 'quantitative' }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }] } },
      ],
    });
  } else if (delayPending) held++;
  // 11. Who caused the harm: each attributed policy's total harm per party, alone, added and Shapley.
  const attributed = ctx.policies.filter((p) => s.policies[p].attribution);
  if (attributed.length) {
    const measures = [
      ['alone', 'acting alone'],
      ['incremental', 'added (but-for test)'],
      ['shapley', 'Shapley share'],
    ] as const;
    const bars = attributed.flatMap((policy) => {
      const a = s.policies[policy].attribution!;
      return a.parties.flatMap((party) =>
        measures.map(([key, label]) => {
          const x = a.metrics.total_harm[key][party];
          return { policy, party, measure: label, mean: x.mean ?? 0, lo: x.ci95[0] ?? x.mean ?? 0, hi: x.ci95[1] ?? x.mean ?? 0 };
        }),
      );
    });
    const measure = { field: 'measure', type: 'nominal' as const, title: null, sort: measures.map(([, l]) => l) };
    add('attribution', 'Who caused the harm', {
      title: fig('Who caused the harm', "Mean total harm per party of each policy whose phases name parties: had the party acted alone, what its acts added to the others' (the but-for test), and its Shapley share (the shares add up to the policy's mean); lines: the 95% interval of each mean (Monte Carlo precision)."),
      data: { values: bars },
      facet: { row: { field: 'policy', type: 'nominal', title: null, sort: attributed }, column: { field: 'party', type: 'nominal', title: null, sort: [...new Set(attributed.flatMap((p) => s.policies[p].attribution!.parties))] } },
      spec: {
        width: 240,
        height: 110,
        layer: [
          { mark: { type: 'bar', height: 16 }, encoding: { y: measure, x: { field: 'mean', type: 'quantitative', ...moneyAxis(`Total harm (${cur})`) }, color: { field: 'measure', type: 'nominal', legend: null, scale: { range: ['#9ecae1', '#4292c6', '#08519c'] } }, tooltip: [{ field: 'party', type: 'nominal' }, { field: 'measure', type: 'nominal' }, { field: 'mean', type: 'quantitative', format: MONEY_FORMAT }] } },
          { mark: { type: 'rule', color: '#222' }, encoding: { y: measure, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
        ],
      },
    });
  }
  return charts;
}
