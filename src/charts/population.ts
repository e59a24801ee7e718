/**
 * The charts of a population, from population.json's data: the trade-off frontier (targeted
 * access-days denied against total harm, with intervals and the Pareto front), harm and the firms
 * each policy makes insolvent by archetype (stacked bars), and targeted against collateral access-days.
 */
import { ALL, type PopulationJson } from '../analysis/population.js';
import { VERSION } from '../version.js';
import type { Chart } from './specs.js';
import { chartSet, colourOf, DASHES, moneyAxis, MONEY_FORMAT, policyColor } from './theme.js';

const COUNT_FORMAT = ',.3~s';

export function populationCharts(j: PopulationJson): Chart[] {
  const policies = j.policies.map((p) => p.name);
  const { ctx, charts, add } = chartSet({ version: VERSION, seed: j.run.seed, paths: j.run.paths, name: j.population.name, sha256: j.population.sha256, currency: j.population.currency }, policies);
  const cur = j.population.currency;
  const all = (p: string) => j.results[p][ALL];

  // 1. The frontier: one point per policy with its 95% intervals, the Pareto front joining the undominated rules.
  const points = j.frontier.map((f) => {
    const e = all(f.policy);
    return {
      policy: f.policy,
      targeted: f.targeted_access_days,
      t_lo: e.targeted_access_days.ci95_lo ?? f.targeted_access_days,
      t_hi: e.targeted_access_days.ci95_hi ?? f.targeted_access_days,
      harm: f.total_harm,
      h_lo: e.total_harm.ci95_lo ?? f.total_harm,
      h_hi: e.total_harm.ci95_hi ?? f.total_harm,
      front: f.pareto ? 'on the frontier' : 'dominated',
      label: f.pareto ? `${f.policy} (frontier)` : f.policy,
    };
  });
  const front = points.filter((p) => p.front === 'on the frontier').sort((a, b) => a.targeted - b.targeted);
  // Zero-based axes with known domains, so each label can be placed clear of the others in pixels.
  const W = 560;
  const H = 360;
  const xMax = niceMax(Math.max(...points.map((p) => p.t_hi)));
  const yMax = niceMax(Math.max(...points.map((p) => p.h_hi)));
  const labels = placeLabels(points.map((p) => ({ text: p.label, px: (p.targeted / xMax) * W, py: H - (p.harm / yMax) * H })), W, H).map((l, i) => ({
    ...points[i],
    lx: (l.x / W) * xMax,
    ly: ((H - l.y) / H) * yMax,
  }));
  const x = { field: 'targeted', type: 'quantitative' as const, title: 'Targeted access-days denied (staff-days of nationals of countries of concern)', scale: { domain: [0, xMax], nice: false }, axis: { format: COUNT_FORMAT } };
  const y = { field: 'harm', type: 'quantitative' as const, scale: { domain: [0, yMax], nice: false }, ...moneyAxis(`Total harm to the population's firms (${cur})`) };
  add(
    'population-frontier',
    'What each rule denies the intended targets, and what it costs',
    'One point per policy: mean targeted access-days denied over the population (x) and mean total harm to its firms (y), each with its 95% Monte Carlo interval. The dashed line joins the frontier: rules no other rule beats on both. Up and to the left is worse: more harm for less targeted denial.',
    {
      width: W,
      height: H,
      layer: [
        { data: { values: front }, mark: { type: 'line', color: '#444', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { x, y } },
        { data: { values: points }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: { field: 't_lo', type: 'quantitative' }, x2: { field: 't_hi' }, y, color: policyColor(ctx) } },
        { data: { values: points }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { field: 'h_lo', type: 'quantitative' }, y2: { field: 'h_hi' }, color: policyColor(ctx) } },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 90 },
          encoding: {
            x,
            y,
            color: policyColor(ctx),
            shape: { field: 'front', type: 'nominal', title: null, scale: { domain: ['on the frontier', 'dominated'], range: ['circle', 'triangle-up'] }, legend: { orient: 'bottom' } },
            tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'targeted', type: 'quantitative', format: ',.0f' }, { field: 'harm', type: 'quantitative', format: MONEY_FORMAT }],
          },
        },
        // A thin leader from each point to its label, which sits clear of the other labels.
        { data: { values: labels }, mark: { type: 'rule', color: '#999', strokeWidth: 0.6 }, encoding: { x, y, x2: { field: 'lx' }, y2: { field: 'ly' } } },
        { data: { values: labels }, mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 11 }, encoding: { x: { field: 'lx', type: 'quantitative' }, y: { field: 'ly', type: 'quantitative' }, text: { field: 'label' } } },
      ],
    },
  );

  // 2 and 3. Harm and insolvent firms by archetype, stacked per policy.
  const archetypes = j.archetypes.map((a) => a.name);
  const archetypeColour = { field: 'archetype', type: 'nominal' as const, title: 'Archetype', sort: archetypes, scale: { domain: archetypes, range: archetypes.map((_, i) => colourOf(i)) }, legend: { orient: 'bottom' as const, columns: 3 } };
  // A pattern of its own per archetype (stroke dash on the bar's outline), so the stack reads in grayscale.
  const archetypeDash = { field: 'archetype', type: 'nominal' as const, sort: archetypes, scale: { domain: archetypes, range: archetypes.map((_, i) => DASHES[i % DASHES.length]) }, legend: null };
  const stacked = (metric: 'total_harm' | 'attributable_insolvency') =>
    j.policies.flatMap((p) => archetypes.map((a, order) => ({ policy: p.name, archetype: a, order, value: j.results[p.name][a][metric].mean })));
  const bars = (metric: 'total_harm' | 'attributable_insolvency', yAxis: Record<string, unknown>, format: string) => ({
    data: { values: stacked(metric) },
    width: Math.max(360, 56 * policies.length),
    height: 300,
    mark: { type: 'bar', stroke: '#222', strokeWidth: 0.8 },
    encoding: {
      x: { field: 'policy', type: 'nominal', title: null, sort: policies, axis: { labelAngle: -30, labelLimit: 200 } },
      y: { field: 'value', type: 'quantitative', stack: 'zero', ...yAxis },
      color: archetypeColour,
      strokeDash: archetypeDash,
      order: { field: 'order', type: 'quantitative' },
      tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'archetype', type: 'nominal' }, { field: 'value', type: 'quantitative', format }],
    },
  });
  add('population-harm-by-archetype', 'Harm by archetype under each policy', 'Mean total harm to every firm of each archetype (count times the mean per firm), stacked per policy.', bars('total_harm', moneyAxis(`Total harm (${cur})`), MONEY_FORMAT));
  add(
    'population-insolvent-by-archetype',
    'Firms each policy makes insolvent, by archetype',
    'Expected number of firms insolvent within the horizon because of the policy (attributable_insolvency: insolvent under it, solvent without any revocation), by archetype, stacked per policy. population.csv also has every insolvent firm (insolvent), those that fail anyway included.',
    bars('attributable_insolvency', { title: 'Expected firms made insolvent', axis: { format: ',.3~f' } }, ',.1f'),
  );

  // 4. Targeted against collateral access-days per policy.
  const kinds = ['targeted', 'collateral'];
  const days = j.policies.flatMap((p) => [
    { policy: p.name, kind: 'targeted', order: 0, value: all(p.name).targeted_access_days.mean },
    { policy: p.name, kind: 'collateral', order: 1, value: all(p.name).collateral_access_days.mean },
  ]);
  add('population-access-days', 'Who each policy cuts off: targeted and collateral access-days', 'Mean staff-days of access denied over the population: to nationals of the countries of concern (targeted) and to everyone else (collateral).', {
    data: { values: days },
    width: 520,
    height: Math.max(160, 26 * policies.length),
    mark: { type: 'bar', stroke: '#222', strokeWidth: 0.8 },
    encoding: {
      y: { field: 'policy', type: 'nominal', title: null, sort: policies, axis: { labelLimit: 220 } },
      x: { field: 'value', type: 'quantitative', stack: 'zero', title: 'Access-days denied (staff-days)', axis: { format: COUNT_FORMAT } },
      color: { field: 'kind', type: 'nominal', title: null, sort: kinds, scale: { domain: kinds, range: ['#D55E00', '#BBBBBB'] }, legend: { orient: 'bottom' } },
      strokeDash: { field: 'kind', type: 'nominal', sort: kinds, scale: { domain: kinds, range: [[1, 0], [4, 2]] }, legend: null },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [{ field: 'policy', type: 'nominal' }, { field: 'kind', type: 'nominal' }, { field: 'value', type: 'quantitative', format: ',.0f' }],
    },
  });
  return charts;
}

/** The next "nice" number at or above x (1, 2, 2.5, 5 times a power of ten), at least 1. */
export function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return ([1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((k) => k * p >= x * 1.05) ?? 10) * p;
}

/**
 * Places one label per point, in pixels: to the right of and above its point, moved down (or, at
 * the bottom, up) in steps of a line until its box overlaps no label already placed, and kept
 * inside the plot. Labels are placed from the top of the plot down.
 */
export function placeLabels(points: { text: string; px: number; py: number }[], W: number, H: number): { x: number; y: number }[] {
  const LINE = 14;
  const CHAR = 6.6;
  const placed: { x0: number; x1: number; y0: number; y1: number }[] = [];
  const out: { x: number; y: number }[] = new Array(points.length);
  const order = points.map((_, i) => i).sort((a, b) => points[a].py - points[b].py || points[a].px - points[b].px);
  for (const i of order) {
    const p = points[i];
    const width = p.text.length * CHAR;
    const x = Math.max(0, Math.min(W - width, p.px + 8));
    const clear = (y: number) => !placed.some((b) => x < b.x1 && x + width > b.x0 && y - LINE / 2 < b.y1 && y + LINE / 2 > b.y0);
    let y = Math.max(LINE / 2, p.py - 10);
    for (let k = 0; k < 60 && !clear(y); k++) y += LINE;
    if (y > H - LINE / 2) for (y = Math.min(H - LINE / 2, p.py - 10); y > LINE / 2 && !clear(y); y -= LINE);
    placed.push({ x0: x, x1: x + width, y0: y - LINE / 2, y1: y + LINE / 2 });
    out[i] = { x, y };
  }
  return out;
}
