/**
 * The exhibit pack's document (accessgap exhibits): a cover with the case caption and the
 * contents, Exhibit 1 the findings in words, then one numbered exhibit per table and chart, the
 * assumptions, the method and the reproducibility appendix. Built once from summary.json's data,
 * the injunction study (analysis/restore.ts) and the run's charts; render/pdf.ts and
 * render/docx.ts write it.
 */
import type { Scenario } from '../scenario/types.js';
import { calendarOf } from '../scenario/calendar.js';
import type { SummaryJson } from '../analysis/run.js';
import type { Paired } from '../analysis/sweep.js';
import type { RestoreJson } from '../analysis/restore.js';
import type { Chart } from '../charts/specs.js';
import type { SensitivityJson } from '../analysis/sensitivity.js';
import { PNL_FIELDS, type PnlJson } from '../analysis/annual.js';
import { sensitivityExhibit } from './sensitivity.js';
import { HARM_PARTS } from '../model/metrics.js';
import { addDays, dateOfDay, formatDate, formatMoney, formatPercent, plural } from '../format.js';
import type { Block, Document, Table } from './document.js';
import { exhibitTitle } from './render/pdf.js';
import { reproduceCommand } from './reproduce.js';
import {
  ACCESS_NOTE,
  accessTable,
  afterShareCaveat,
  assumptionsTable,
  ATTRIBUTION_NOTE,
  attributionStatements,
  attributionTable,
  coverageList,
  DECISION_NOTE,
  decisionStatements,
  decisionTable,
  DECOMPOSITION_NOTE,
  decompositionTable,
  DELAY_NOTE,
  delayTable,
  HYPOTHETICAL_NOTE,
  insolvencyTimingTable,
  metricsTable,
  OUTCOME_NOTE,
  outcomeStatements,
  provenance,
  RESULTS_NOTE,
  resultsTable,
  staffTable,
  TIMING_NOTE,
  withCi,
} from './tables.js';

/** What a cover field shows when the scenario's exhibit block does not give it: plainly a placeholder. */
const placeholder = (what: string) => `[${what}]`;

/** The policies the findings and the injunction lead with: those that happened (status reported), else every one that is not hypothetical. */
export function focusPolicies(s: SummaryJson): string[] {
  const entries = Object.entries(s.policies);
  const reported = entries.filter(([, p]) => p.status === 'reported').map(([n]) => n);
  if (reported.length) return reported;
  const real = entries.filter(([, p]) => p.status !== 'hypothetical').map(([n]) => n);
  return real.length ? real : entries.slice(0, 1).map(([n]) => n);
}

/** The page header of the pack: the case caption and number, or a placeholder. */
export function packHeader(scenario: Scenario): string {
  const ex = scenario.exhibit ?? {};
  return [ex.case ?? placeholder('case caption'), ex.case_number ? `No. ${ex.case_number}` : undefined].filter(Boolean).join(', ');
}

const HARM_PART_NAMES: Record<string, string> = {
  harm_costs: 'one-off costs: switching and mitigation',
  harm_before_restoration: 'operating profit lost while cut off',
  harm_after_restoration: 'operating profit lost after access returns',
  pv_terminal_recovery: 'terminal: ground not regained by the horizon (the gap that closes after it)',
  pv_terminal_insolvency: 'terminal: firm value lost to insolvency',
};

const PART_NATURE: Record<string, string> = {
  harm_costs: 'money, paid out',
  harm_before_restoration: 'money: revenue the firm does not earn',
  harm_after_restoration: 'money: the lasting gap to competitors; ground lost is not regained when access returns',
  pv_terminal_recovery: 'money: lost market position, valued at the horizon',
  pv_terminal_insolvency: "the firm's existence: the whole value of a firm that fails",
};

export const REPAIR_NOTE =
  'Means over paths, in present value at day 0, for the world that happened under the facts at filing. Against the government, money damages are generally not recoverable (relief against an agency is an order, not an award), so no part below is repaired by money from it; whether any part is recoverable from anyone else is a question for counsel. "Already sunk" is the harm if access had returned the day after the facts at filing: no order can avoid it. What an injunction avoids is paired path by path with its 95% interval (Monte Carlo precision).';

export interface PackData {
  scenario: Scenario;
  summary: SummaryJson;
  charts: Chart[];
  restore?: RestoreJson;
  /** The tornado of the policies that happened, and its charts. */
  sensitivity?: { json: SensitivityJson; charts: Chart[] };
  /** P&L and cash by year of the but-for world and the policies that happened. */
  pnl?: PnlJson;
}

export function exhibitDocument({ scenario, summary, charts, restore, sensitivity, pnl }: PackData): Document {
  const s = summary;
  const ex = scenario.exhibit ?? {};
  const cur = s.scenario.currency;
  const money = (x: number) => formatMoney(x, cur);
  const paired = (x: Paired) => `${money(x.mean)}${x.ci95 ? ` [${money(x.ci95[0])}, ${money(x.ci95[1])}]` : ''}`;
  const dated = (iso: string | null | undefined, day: number) => (iso ? `${formatDate(iso)} (day ${day})` : `day ${day}`);
  const focus = focusPolicies(s);

  // Each exhibit: its title and blocks; numbered in order, and listed on the cover.
  const exhibits: { title: string; blocks: Block[] }[] = [];
  // A chart that goes with a table is drawn in the table's exhibit; every other chart is an exhibit of its own.
  const chartBlock = (name: string): Block[] => {
    const c = charts.find((x) => x.name === name);
    return c ? [{ kind: 'chart', chart: c }] : [];
  };
  const add = (title: string, blocks: Block[]) => exhibits.push({ title, blocks });

  add('Summary of findings', findings(s, restore, focus, money, paired));
  const hypothetical = Object.values(s.policies).some((p) => p.status === 'hypothetical');
  add('Harm by policy', [
    { kind: 'paragraph', text: RESULTS_NOTE },
    { kind: 'table', table: resultsTable(s), className: 'results' },
    ...(hypothetical ? ([{ kind: 'paragraph', text: HYPOTHETICAL_NOTE }, { kind: 'table', table: resultsTable(s, 'hypothetical'), className: 'results-hypothetical' }] as Block[]) : []),
    { kind: 'paragraph', text: afterShareCaveat(s) },
  ]);
  if (restore) {
    const rows = focus.filter((p) => restore.policies[p]);
    add('Harm avoided by restoring access on each date, given the facts at filing', [
      { kind: 'paragraph', text: restoreNote(restore) },
      ...rows.flatMap((p): Block[] => [
        ...(rows.length > 1 ? [{ kind: 'heading', level: 3, text: p } as const] : []),
        { kind: 'table', table: restoreTable(restore, p, money, paired, dated), className: 'restore' },
        ...(restore.policies[p].year_later ? [{ kind: 'paragraph', text: yearLaterText(restore, p, money, paired) } as const] : []),
      ]),
    ]);
    add('Harm by component, and whether money can repair it', [
      { kind: 'paragraph', text: REPAIR_NOTE },
      ...rows.flatMap((p): Block[] => [...(rows.length > 1 ? [{ kind: 'heading', level: 3, text: p } as const] : []), { kind: 'table', table: repairTable(restore, p, money, paired, dated), className: 'repair' }]),
    ]);
  }
  if (pnl) {
    add('Profit and loss, and cash, by year', [
      { kind: 'paragraph', text: PNL_NOTE(pnl) },
      ...Object.keys(pnl.worlds).flatMap((w): Block[] => [{ kind: 'heading', level: 3, text: w === 'butfor' ? 'The but-for world (no revocation)' : w }, { kind: 'table', table: pnlTable(pnl, w, money, scenario), className: 'pnl' }]),
    ]);
  }
  add('Where the harm comes from, by policy', [{ kind: 'paragraph', text: DECOMPOSITION_NOTE }, { kind: 'table', table: decompositionTable(s), className: 'decomposition' }, ...chartBlock('harm-decomposition')]);
  const attribution = attributionTable(s);
  if (attribution) add('Who caused the harm', [{ kind: 'paragraph', text: ATTRIBUTION_NOTE }, { kind: 'table', table: attribution, className: 'attribution' }, { kind: 'list', items: attributionStatements(s) }, ...chartBlock('attribution')]);
  const decision = decisionTable(s);
  if (decision) add('The mitigation decision', [{ kind: 'paragraph', text: DECISION_NOTE }, { kind: 'table', table: decision, className: 'decision' }, { kind: 'list', items: decisionStatements(s) }]);
  // With a calendar, each "by day d" also as its date.
  const calendar = calendarOf(scenario);
  const timing = insolvencyTimingTable(s);
  const datedTiming = calendar ? { ...timing, head: timing.head.map((h) => h.replace(/^by day (\d+)/, (all, d: string) => `${all}, ${formatDate(dateOfDay(calendar, Number(d)))}`)) } : timing;
  add('Time to insolvency', [{ kind: 'paragraph', text: TIMING_NOTE }, { kind: 'table', table: datedTiming, className: 'timing' }, { kind: 'paragraph', text: OUTCOME_NOTE }, { kind: 'list', items: outcomeStatements(s) }, ...chartBlock('survival')]);
  const delay = delayTable(s);
  if (delay) add('Cost of delay', [{ kind: 'paragraph', text: DELAY_NOTE(s.cost_of_delay!) }, { kind: 'table', table: delay, className: 'delay' }, ...chartBlock('cost-of-delay')]);
  if (sensitivity) add(`What drives the harm: sensitivity of ${sensitivity.json.run.metric}`, sensitivityExhibit(sensitivity.json, sensitivity.charts));
  add('Who each policy cuts off', [{ kind: 'list', items: coverageList(s) }, { kind: 'paragraph', text: ACCESS_NOTE }, { kind: 'table', table: accessTable(s), className: 'access' }]);
  const withTables = new Set(['harm-decomposition', 'attribution', 'survival', 'cost-of-delay', 'convergence']);
  charts.forEach((c, k) => {
    if (!withTables.has(c.name)) add(`${exhibitTitle(c)} (figure ${k + 1})`, [{ kind: 'chart', chart: c }]);
  });
  add('Every metric, with its Monte Carlo precision', [
    { kind: 'paragraph', text: 'Means over paths with their standard error, and the 5th, 50th and 95th percentiles with their distribution-free 95% intervals (Monte Carlo precision); metrics that are 0 or 1 per path as probabilities with Wilson 95% intervals.' },
    { kind: 'table', table: metricsTable(s), className: 'metrics' },
    ...chartBlock('convergence'),
  ]);
  add('Assumptions', [
    { kind: 'paragraph', text: 'The staff, as the scenario file gives them, and the compared policies that cut each segment off:' },
    { kind: 'table', table: staffTable(scenario, s), className: 'staff' },
    { kind: 'paragraph', text: 'Every value of the scenario file: the settings first (how the run was set up; not drawn), then every input, drawn once per path, with its distribution. Basis and status label (DOC, SEC, REPORTED, EST, JUDGMENT) as written beside the key in the file.' },
    { kind: 'table', table: assumptionsTable(scenario), className: 'assumptions', code: [0] },
  ]);
  add('Method', METHOD.map((text): Block => ({ kind: 'paragraph', text })));
  add('Reproducing these numbers', reproducibility(scenario, s));

  const cover: Block = {
    kind: 'cover',
    title: `Harm exhibits: ${scenario.title}`,
    fields: [
      ['Case', ex.case ?? placeholder('case caption')],
      ['Court', ex.court ?? placeholder('court')],
      ['Case number', ex.case_number ?? placeholder('case number')],
      ['Offered by', ex.party ?? placeholder('party')],
      ['Prepared by', ex.prepared_by ?? placeholder('expert')],
      ['Date', ex.date ? formatDate(ex.date) : placeholder('date')],
      ...(ex.revocation_date ? ([['Revocation', `${formatDate(ex.revocation_date)} (day ${scenario.revocation.start_day} of the model)`]] as [string, string][]) : []),
      ...(ex.as_of ? ([['Facts as of', `${formatDate(ex.as_of)}: access had not returned`]] as [string, string][]) : []),
      ...(ex.hearing_date ? ([['Hearing', formatDate(ex.hearing_date)]] as [string, string][]) : []),
      ['Scenario', `${s.scenario.name} (${scenario.file}), sha256 ${s.scenario.sha256}`],
      ['Run', `${plural(s.run.paths, 'path')}, seed ${s.run.seed}, accessgap ${s.run.version}`],
    ],
    contents: exhibits.map((e, i) => [String(i + 1), `Exhibit ${i + 1}. ${e.title}`]),
    note: [ex.case, ex.court, ex.case_number, ex.party, ex.prepared_by, ex.date].some((x) => x === undefined)
      ? 'Fields in [brackets] are placeholders: give them in the scenario file\'s exhibit block (docs/scenario-format.md), which changes no number.'
      : undefined,
  };
  return {
    title: `Harm exhibits: ${scenario.title}`,
    blocks: [cover, ...exhibits.flatMap((e, i): Block[] => [{ kind: 'exhibit', n: i + 1, title: e.title }, ...e.blocks])],
  };
}

/** Exhibit 1: per policy that happened, the harm led by its median and spread, then the mean, insolvency, timing and the cost of delay; a footnote on precision. */
function findings(s: SummaryJson, restore: RestoreJson | undefined, focus: string[], money: (x: number) => string, paired: (x: Paired) => string): Block[] {
  const bf = s.butfor;
  const items = Object.entries(s.policies)
    .filter(([, p]) => p.status !== 'hypothetical')
    .map(([name, p]) => {
      const h = p.metrics.total_harm;
      const ai = p.metrics.attributable_insolvency;
      const perDay = s.cost_of_delay?.policies[name]?.per_day;
      const label = `${name}${p.status ? ` (${p.status})` : ''}`;
      if (p.affected_segments.length === 0 && h.max === 0 && h.min === 0) return `${label}: cuts off nobody at this firm, so it causes no harm.`;
      return [
        `${label}: the median harm is ${money(h.p50)}; on 90% of paths it lies between ${money(h.p05)} and ${money(h.p95)}. The expected harm is ${withCi(h, money)}.`,
        `The probability that the firm becomes insolvent because of it is ${withCi(ai, formatPercent)}, against ${formatPercent(bf.insolvency_probability)} that it fails within the horizon without any revocation.`,
        p.derived.after_restoration_revenue_share === null ? '' : `${formatPercent(p.derived.after_restoration_revenue_share)} of the revenue it loses is lost after access returns.`,
        perDay && perDay.mean !== 0 ? `Each further month of revocation at the median duration (${s.cost_of_delay!.median} days) costs about ${paired({ ...perDay, mean: 30 * perDay.mean, ci95: perDay.ci95 ? [30 * perDay.ci95[0], 30 * perDay.ci95[1]] : null })}.` : '',
      ]
        .filter(Boolean)
        .join(' ');
    });
  const injunction = restore
    ? focus.flatMap((p) => {
        const r = restore.policies[p];
        if (!r || r.restore.length === 0) return [];
        const on = (row: (typeof r.restore)[number]) => `${paired(row.avoided)} if it returns on ${row.date ? formatDate(row.date) : `day ${row.day}`}`;
        return [
          `${p}, given the facts at filing: of the ${paired(r.baseline.harm)} expected, restoring access avoids ${r.restore.map(on).join('; ')} (Exhibit 3).${r.year_later ? ` A ruling a year after the hearing instead of an injunction on it costs ${paired(r.year_later.cost)} more.` : ''}`,
        ];
      })
    : [];
  return [
    { kind: 'list', items: [...items, ...injunction] },
    {
      kind: 'paragraph',
      muted: true,
      text: `Harm is the firm's loss in present value at day 0 against the world without the revocation, on the same simulated paths. Figures in brackets are 95% intervals of the Monte Carlo estimate at ${plural(s.run.paths, 'path')} (seed ${s.run.seed}): its precision, not the uncertainty of the harm, which the 5th to 95th percentile range shows. Worlds that did not happen (hypothetical) are left out here and shown in Exhibit 2.`,
    },
  ];
}

function restoreNote(r: RestoreJson): string {
  const facts =
    r.ongoing_after_days === null
      ? 'The revocation\'s length is drawn as the scenario gives it (no facts at filing: give exhibit.as_of).'
      : `Given the facts at filing (access had not returned ${r.as_of ? `on ${formatDate(r.as_of)}, ` : ''}${r.ongoing_after_days} days after the revocation began), the revocation's length is drawn conditional on lasting longer, as revocation.ongoing_after_days does.`;
  return `${facts} Each row fixes the day access returns; harm avoided is the expected harm under those facts minus the harm if access returns that day, paired path by path (the same ${plural(r.paths, 'path')}, the same but-for world, and the mitigation decision the firm makes under those facts, since it cannot know when a court will rule). Intervals are 95% Monte Carlo intervals. A negative amount avoided means the date is later than access would be expected to return anyway.${r.hearing_date ? ` The hearing: ${formatDate(r.hearing_date)}.` : ''}`;
}

function restoreTable(r: RestoreJson, policy: string, money: (x: number) => string, paired: (x: Paired) => string, dated: (iso: string | null | undefined, day: number) => string): Table {
  const p = r.policies[policy];
  const pct = (x: { p: number; ci95: [number, number] }) => `${formatPercent(x.p)} [${formatPercent(x.ci95[0])}, ${formatPercent(x.ci95[1])}]`;
  const parts = (x: Record<string, Paired>) => HARM_PARTS.map((m) => money(x[m].mean)).join(' / ');
  return {
    head: ['access restored on', 'why this date', 'expected harm [95% CI]', 'harm avoided [95% CI]', 'avoided, by part: costs / while cut off / after / gap terminal / insolvency', 'P(insolvent because of the policy) [95% CI]', 'insolvency avoided (points)'],
    rows: [
      ['as the facts at filing allow (drawn)', 'the baseline', paired(p.baseline.harm), '', '', pct(p.baseline.attributable_insolvency), ''],
      ...p.restore.map((row) => [dated(row.date, row.day), row.label, paired(row.harm), paired(row.avoided), parts(row.parts_avoided), pct(row.attributable_insolvency), formatPercent(row.insolvency_avoided.mean, 2)]),
    ],
  };
}

function yearLaterText(r: RestoreJson, policy: string, money: (x: number) => string, paired: (x: Paired) => string): string {
  const y = r.policies[policy].year_later!;
  return `An injunction on the hearing date (${formatDate(y.hearing)}) against a ruling a year later (${formatDate(y.ruling)}): the year's delay costs ${paired(y.cost)} in expected harm, paired path by path.`;
}

function repairTable(r: RestoreJson, policy: string, money: (x: number) => string, paired: (x: Paired) => string, dated: (iso: string | null | undefined, day: number) => string): Table {
  const p = r.policies[policy];
  const sunk = r.ongoing_after_days !== null ? p.restore.find((row) => row.duration === r.ongoing_after_days! + 1) : undefined;
  const order = p.restore.find((row) => row.label.includes('hearing')) ?? p.restore.find((row) => row !== sunk) ?? p.restore[0];
  const rows = HARM_PARTS.map((m) => [
    HARM_PART_NAMES[m],
    paired(p.baseline.parts[m]),
    sunk ? money(sunk.parts[m].mean) : 'n/a',
    order ? paired(order.parts_avoided[m]) : 'n/a',
    PART_NATURE[m],
  ]);
  return {
    head: ['part of the harm', 'expected, given the facts at filing [95% CI]', sunk ? `already sunk (access back ${dated(sunk.date, sunk.day)})` : 'already sunk', order ? `avoided by access restored ${dated(order.date, order.day)} [95% CI]` : 'avoided by an injunction', 'what it is'],
    rows: [...rows, ['total', paired(p.baseline.harm), sunk ? money(sunk.harm.mean) : 'n/a', order ? paired(order.avoided) : 'n/a', '']],
  };
}

/** The method in short: docs/model.md is the full text. */
const METHOD = [
  'accessgap simulates the firm day by day over the horizon in two worlds on every path: the but-for world, where access to the frontier models is never revoked, and the world under each policy, where the staff it reaches lose access from the revocation\'s first day until it ends (docs/model.md sections 1 to 4). Harm is the difference between the two worlds on the same path, in present value at day 0; the paths differ in their uncertain inputs, each drawn once per path from the distribution the scenario gives (section 2).',
  'Staff cut off fall back to the best model still available, which trails the frontier by a lag that grows while the revocation lasts; their productivity follows their capability gap. The product built on the model loses quality; the firm\'s market share drifts towards what its quality earns and recovers only slowly after access returns, so ground lost is not regained at once (section 4).',
  'Each day the firm earns revenue from its share, pays its costs, and draws on cash, its credit line and, where the scenario allows, new financing; a firm that runs out of money is insolvent and its value is lost (sections 4 and 5). The worlds run on past the horizon for a tail period to value the gap still open at the horizon.',
  'Where the scenario allows mitigation, the firm decides on a fixed day, before it knows how long the outage lasts, whether to relocate staff or hire replacements, and takes the option with the highest expected firm value, judged ex ante (section 4b). Where a policy\'s phases name the parties responsible, the harm is split between them: each party alone, what each adds to the other, and the Shapley average (section 4c).',
  'Every figure is an average or percentile over the simulated paths, reported with its Monte Carlo precision: the standard error and 95% interval of each mean, distribution-free intervals for percentiles and Wilson intervals for probabilities (section 5). The cost of delay and the injunction table fix the revocation\'s length on the same paths, so differences between lengths are paired path by path (section 10).',
  'Limits: the model is a stylised account of one firm; its inputs are ranges from public sources and judgment, labelled by status in the assumptions exhibit, and any JUDGMENT input belongs in a sensitivity analysis (accessgap sensitivity). Section 8 of docs/model.md lists what the model leaves out.',
];

function reproducibility(scenario: Scenario, s: SummaryJson): Block[] {
  const [scenarioLine, runLine, , quantiles] = provenance(scenario, s);
  return [
    { kind: 'lines', lines: [scenarioLine, runLine] },
    { kind: 'paragraph', text: 'accessgap is open source. With the scenario file (the pack\'s folder keeps a copy), anyone can re-run these numbers; the same file, seed and number of paths give byte-identical results on any machine and with any number of threads:' },
    { kind: 'command', text: reproduceCommand('exhibits', scenario.file, [], s.run) },
    { kind: 'paragraph', text: 'The pack\'s folder holds manifest.json: the command, the engine version, the Node version and platform, the SHA-256 of the scenario file and of package-lock.json, the seed, the number of paths, and the SHA-256 of every file written. accessgap verify FOLDER re-runs the scenario from the manifest and compares every file but timing.json; it prints "verified: N files identical" or names each file that differs. The PDF and Word files carry fixed creation dates, so they are byte-identical too.' },
    { kind: 'paragraph', text: quantiles, muted: true },
    { kind: 'paragraph', text: `Day 0 of the model is the start of the horizon; ${scenario.exhibit?.revocation_date ? `the revocation's first day (day ${scenario.revocation.start_day}) is ${formatDate(scenario.exhibit.revocation_date)}, so day d falls on ${formatDate(addDays(scenario.exhibit.revocation_date, -scenario.revocation.start_day))} plus d days` : 'dates are not given (exhibit.revocation_date), so tables count days'}.`, muted: true },
  ];
}

/** injunction.csv: the injunction table's numbers, one row per policy and world (the baseline, then each restore date), tidy. */
export function injunctionCsv(r: RestoreJson): string {
  const head = ['policy', 'restored', 'date', 'day', 'duration_days', 'harm_mean', 'harm_se', 'avoided_mean', 'avoided_se', 'avoided_ci95_lo', 'avoided_ci95_hi', ...HARM_PARTS.flatMap((m) => [`${m}_mean`, `${m}_avoided_mean`]), 'attributable_insolvency', 'insolvency_avoided'];
  const num = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));
  const lines = [head.join(',')];
  for (const [policy, p] of Object.entries(r.policies)) {
    lines.push([policy, 'baseline', r.as_of ?? '', '', '', num(p.baseline.harm.mean), num(p.baseline.harm.se), '', '', '', '', ...HARM_PARTS.flatMap((m) => [num(p.baseline.parts[m].mean), '']), num(p.baseline.attributable_insolvency.p), ''].join(','));
    for (const row of p.restore) {
      lines.push(
        [policy, 'fixed', row.date ?? '', row.day, row.duration, num(row.harm.mean), num(row.harm.se), num(row.avoided.mean), num(row.avoided.se), num(row.avoided.ci95?.[0]), num(row.avoided.ci95?.[1]), ...HARM_PARTS.flatMap((m) => [num(row.parts[m].mean), num(row.parts_avoided[m].mean)]), num(row.attributable_insolvency.p), num(row.insolvency_avoided.mean)].join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}

const PNL_NOTE = (pnl: PnlJson) =>
  `Each model year of the horizon (365 days from day 0; the last may be shorter), per world on the run's ${plural(pnl.paths, 'path')}: the mean, with the 5th to 95th percentile across paths in brackets. Revenue and costs are sums over the year's days while the firm is solvent; operating profit is gross profit less operating costs and the switching and mitigation costs; cash at year end is after the last day's profit and any financing round (negative: drawn on the credit line); solvent is the share of firms not insolvent at year end. From the reference day loop on the run's own paths and mitigation decisions (docs/model.md section 10b); pnl.csv holds the numbers.`;

const PNL_LABELS: Record<string, string> = {
  revenue: 'revenue',
  gross_profit: 'gross profit',
  operating_costs: 'operating costs',
  switching_and_mitigation_costs: 'switching and mitigation costs',
  operating_profit: 'operating profit',
  cash_at_year_end: 'cash at year end',
  solvent_at_year_end: 'solvent at year end',
};

function pnlTable(pnl: PnlJson, world: string, money: (x: number) => string, scenario: Scenario): Table {
  const years = pnl.worlds[world];
  const calendar = calendarOf(scenario);
  const head = (y: (typeof years)[number]) => `year ${y.year}: ${calendar ? `${formatDate(dateOfDay(calendar, y.first_day))} to ${formatDate(dateOfDay(calendar, y.last_day))}` : `days ${y.first_day} to ${y.last_day}`}`;
  return {
    head: ['', ...years.map(head)],
    rows: PNL_FIELDS.map((f) => [PNL_LABELS[f], ...years.map((y) => (f === 'solvent_at_year_end' ? formatPercent(y.fields[f].mean) : `${money(y.fields[f].mean)} (${money(y.fields[f].p05)} to ${money(y.fields[f].p95)})`))]),
  };
}
