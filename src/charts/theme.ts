/**
 * The look shared by every chart: one colour per world in every chart (Okabe-Ito, colour-blind
 * safe; the but-for world in grey), one font shipped with the package (so PNGs are identical on
 * every machine), currency formatting, and the source line.
 */
import { currencySymbol } from '../format.js';
import type { SummaryJson } from '../analysis/run.js';
import type { TopLevelSpec } from 'vega-lite';

export const FONT = 'DejaVu Sans';
export const BUTFOR_COLOR = '#7f7f7f';
/**
 * Twelve distinct colours: Okabe-Ito, reordered so the first are the most distinct on white, then
 * four of Paul Tol's muted scheme (wine, teal, indigo, olive) that stay apart from them. A second
 * channel, the line's dash (DASHES), tells every policy's line apart where colour cannot: printed
 * in grayscale, and past twelve policies, where colours repeat.
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442', '#882255', '#44AA99', '#332288', '#999933'];
/** Twelve dash patterns, one per colour; none is the but-for world's (BUTFOR_DASH). */
export const DASHES = [[1, 0], [2, 2], [10, 3], [2, 5], [10, 3, 2, 3], [4, 2], [12, 3, 3, 3, 3, 3], [1, 3], [16, 4], [5, 2, 1, 2], [3, 3, 9, 3], [22, 4]];
/** The but-for world's dash, wherever it is drawn beside policies. */
export const BUTFOR_DASH = [6, 4];
/**
 * A policy's colour and dash by its place among the compared policies: the i-th colour with the
 * i-th dash, and past twelve the dashes shifted by one per round of the palette, so no two
 * policies share both.
 */
export const colourOf = (i: number) => PALETTE[i % PALETTE.length];
export const dashOf = (i: number) => DASHES[((i % PALETTE.length) + Math.floor(i / PALETTE.length)) % DASHES.length];

export interface ChartContext {
  summary: SummaryJson;
  /** Compared policies, in run order. */
  policies: string[];
  currency: string;
  /** Per policy, the world (policy or "butfor") whose results it equals on every path, if any. */
  sameAs: Record<string, string | undefined>;
}

/** A legend label that says when a world's lines hide behind another's (identical results). */
function legendLabel(ctx: ChartContext): string {
  const cases = ctx.policies
    .filter((p) => ctx.sameAs[p])
    .map((p) => `datum.label === ${JSON.stringify(p)} ? ${JSON.stringify(`${p}${hypothetical(ctx, p)} (same as ${ctx.sameAs[p] === 'butfor' ? 'but-for' : ctx.sameAs[p]})`)} : `)
    .join('');
  const labelled = ctx.policies
    .filter((p) => !ctx.sameAs[p] && hypothetical(ctx, p))
    .map((p) => `datum.label === ${JSON.stringify(p)} ? ${JSON.stringify(`${p} (hypothetical)`)} : `)
    .join('');
  return `${cases}${labelled}datum.label === 'butfor' ? 'but-for (no revocation)' : datum.label`;
}

/** " (hypothetical)" for a policy the scenario labels so (a world that did not happen), else "". */
const hypothetical = (ctx: ChartContext, p: string) => (ctx.summary.policies?.[p]?.status === 'hypothetical' ? ' (hypothetical)' : '');

/**
 * Labels of a policy legend, axis or facet header: hypothetical worlds named as such. (The label
 * is parenthesized: vega-lite substitutes an unparenthesized conditional for it in headers.)
 */
export function policyLegendLabel(ctx: ChartContext): string {
  return `${ctx.policies
    .filter((p) => hypothetical(ctx, p))
    .map((p) => `(datum.label) === ${JSON.stringify(p)} ? ${JSON.stringify(`${p} (hypothetical)`)} : `)
    .join('')}(datum.label)`;
}


/** Colour scale over the worlds: "butfor" first, then the policies in run order. */
export function worldColor(ctx: ChartContext, field = 'world', title: string | null = null) {
  return {
    field,
    type: 'nominal' as const,
    title,
    scale: { domain: ['butfor', ...ctx.policies], range: [BUTFOR_COLOR, ...ctx.policies.map((_, i) => colourOf(i))] },
    legend: { labelExpr: legendLabel(ctx), ...LINE_SYMBOL },
  };
}

/** Policy colours only (charts without the but-for world). */
export function policyColor(ctx: ChartContext, field = 'policy') {
  return {
    field,
    type: 'nominal' as const,
    title: null,
    scale: { domain: ctx.policies, range: ctx.policies.map((_, i) => colourOf(i)) },
    legend: null,
  };
}

/** A line legend's symbol: a stroke long enough to show its dash. */
export const LINE_SYMBOL = { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1, symbolSize: 600 } as const;

/**
 * The second channel: a strokeDash encoding on the same field as the colour, with the same legend,
 * so the two merge into one legend whose symbols show both; every policy's line stays apart in
 * grayscale and past twelve policies.
 */
export function policyDash(ctx: ChartContext, field = 'policy', legend: Record<string, unknown> | null = null, withButfor = false): { strokeDash: Record<string, unknown> } {
  const domain = withButfor ? ['butfor', ...ctx.policies] : ctx.policies;
  const range = [...(withButfor ? [BUTFOR_DASH] : []), ...ctx.policies.map((_, i) => dashOf(i))];
  return { strokeDash: { field, type: 'nominal', title: null, scale: { domain, range }, legend } };
}

/** The dash beside worldColor's colour (the but-for world solid), merged into its legend. */
export const worldDash = (ctx: ChartContext, field = 'world') => policyDash(ctx, field, worldColor(ctx, field).legend, true);

/** A label expression writing an axis's numbers as money ($300k; the config's locale gives the currency symbol). */
export const MONEY_LABEL = "replace(format(datum.value, '$.3~s'), 'G', 'B')";

/** d3 format for money with SI suffixes ($1.2M); "G" is shown as "B". */
export const MONEY_FORMAT = '$.3~s';
export const moneyAxis = (title: string) => ({ title, axis: { format: MONEY_FORMAT, labelExpr: "replace(datum.label, 'G', 'B')" } });

export function sourceLine(s: SummaryJson): string {
  return `Source: accessgap ${s.run.version}; scenario ${s.scenario.name} (sha256 ${s.scenario.sha256.slice(0, 8)}); seed ${s.run.seed}; ${s.run.paths.toLocaleString('en-US')} ${s.run.paths === 1 ? 'path' : 'paths'}.`;
}

/** Splits text into lines of at most `width` characters, at spaces. */
export function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function title(n: number, text: string, subtitle: string, s: SummaryJson) {
  return { text: `Figure ${n}. ${text}`, subtitle: [...wrap(subtitle), sourceLine(s)], anchor: 'start' as const, subtitleColor: '#444', subtitleFontSize: 11, fontSize: 15, offset: 12 };
}

/** Vega-Lite config: font, locale (currency symbol), quiet backgrounds. */
export function config(ctx: ChartContext) {
  return {
    font: FONT,
    background: 'white',
    padding: 12,
    view: { stroke: '#ddd' },
    axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
    legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom' as const, direction: 'horizontal' as const, columns: 4, labelLimit: 320 },
    // Long policy names are cut to the panel's width, so every panel keeps its place and axis.
    header: { labelFontSize: 12, labelFontWeight: 'bold' as const, labelLimit: 220 },
    locale: { number: { decimal: '.', thousands: ',', grouping: [3], currency: [currencySymbol(ctx.currency).trim(), ''] } },
  };
}

/** What a chart's source line needs to know of a run, a sweep or an analysis. */
export interface ChartSource {
  version: string;
  seed: number;
  paths: number;
  name: string;
  sha256: string;
  currency: string;
}

/**
 * A numbered set of charts in the house style for a command's folder (sweep, sensitivity, ...):
 * `add` gives each chart the next figure number, its subtitle and the source line.
 */
export function chartSet(source: ChartSource, policies: string[]) {
  const summary = { run: { version: source.version, seed: source.seed, paths: source.paths }, scenario: { name: source.name, sha256: source.sha256 } } as unknown as SummaryJson;
  const ctx: ChartContext = { summary, policies, currency: source.currency, sameAs: {} };
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: config(ctx) };
  const charts: { name: string; title: string; spec: TopLevelSpec }[] = [];
  const add = (name: string, heading: string, subtitle: string, spec: Record<string, unknown>) =>
    charts.push({ name, title: heading, spec: { ...base, title: title(charts.length + 1, heading, subtitle, summary), ...spec } as unknown as TopLevelSpec });
  return { ctx, charts, add };
}
