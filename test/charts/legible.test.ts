/** Charts that read: distinct colours for many policies (and a dash past twelve), the CDF's axis, the heatmap's labels. */
import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../src/charts/specs.js';
import { renderSvg } from '../../src/charts/render.js';
import { PALETTE, policyColor, policyDash, worldColor, type ChartContext } from '../../src/charts/theme.js';
import { seriesRows } from '../../src/analysis/run.js';
import { sweepCharts } from '../../src/charts/sweep.js';
import { baseScenario, loadDoc, simulate } from '../helpers.js';

const ctxOf = (n: number) => ({ policies: Array.from({ length: n }, (_, i) => `p${i + 1}`), currency: 'USD', sameAs: {}, summary: { policies: {} } }) as unknown as ChartContext;

/** A scenario with n compared policies, each a phased rule of a different length. */
function manyPolicies(n: number) {
  const doc = baseScenario();
  doc.simulation.horizon_days = 60;
  doc.productivity.capability_elasticity = { dist: 'uniform', min: 0.2, max: 2 };
  doc.policies = Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i + 1}`, { phases: [{ restrict: { everyone: true }, days: 2 * i + 1 }, { restrict: { nationality_not_in: ['US'] } }] }]));
  return doc;
}

describe('colours and dashes', () => {
  it('give 12 policies 12 distinct colours, none of them the but-for grey', () => {
    expect(new Set(PALETTE).size).toBe(12);
    const range = worldColor(ctxOf(12)).scale.range;
    expect(new Set(range).size).toBe(13);
  });

  it('give every policy a dash of its own as well, so lines stay apart in grayscale; the but-for world its own dash', () => {
    const dashes = (n: number, withButfor = false) => (policyDash(ctxOf(n), 'policy', null, withButfor).strokeDash as { scale: { range: number[][] } }).scale.range.map((d) => d.join(','));
    expect(new Set(dashes(12)).size).toBe(12);
    const all = dashes(12, true);
    expect(all[0]).toBe('6,4');
    expect(new Set(all).size).toBe(13);
  });

  it('past twelve, a dash tells apart the policies that share a colour, in one legend with the colour', () => {
    const ctx = ctxOf(20);
    const colours = policyColor(ctx).scale.range;
    const dashes = (policyDash(ctx, 'policy', { title: null }).strokeDash as { scale: { range: number[][] }; legend: unknown }).scale.range;
    const pairs = colours.map((c, i) => `${c} ${dashes[i].join(',')}`);
    expect(new Set(pairs).size).toBe(20);
    expect((policyDash(ctx, 'policy', { title: null }).strokeDash as { legend: unknown }).legend).toEqual({ title: null });
  });

  it('a 9-policy run draws 9 distinct colours and dashes in its charts, and a 13-policy run too', async () => {
    for (const n of [9, 13]) {
      const loaded = await loadDoc(manyPolicies(n));
      const { result, summary } = await simulate(loaded, { paths: 50, seed: 2 });
      const charts = buildCharts(result, summary, seriesRows(result));
      const cdf = charts.find((c) => c.name === 'harm-cdf')!;
      const enc = (cdf.spec as { encoding: { color: { scale: { range: string[] } }; strokeDash?: unknown } }).encoding;
      expect(new Set(enc.color.scale.range).size).toBe(Math.min(n, 12));
      expect(enc.strokeDash).toBeDefined();
      const { svg, warnings } = await renderSvg(cdf.spec);
      expect(warnings).toEqual([]);
      // Policy 2's dash (10,3) in the lines, and the 13th policy's (shifted by one round: 2,2) too.
      expect(svg).toMatch(/stroke-dasharray="10,3"/);
      if (n > 12) expect(svg).toMatch(/stroke-dasharray="2,2"/);
    }
  });
});

describe('the CDF (figure 7)', () => {
  it('spans the smallest 1st to the largest 95th percentile, so at least 95% of every policy is in view, and says what lies beyond', async () => {
    const doc = manyPolicies(3);
    doc.firm.cash = { dist: 'uniform', min: 20_000, max: 600_000 };
    const loaded = await loadDoc(doc);
    const { result, summary } = await simulate(loaded, { paths: 400, seed: 4 });
    const cdf = buildCharts(result, summary, seriesRows(result)).find((c) => c.name === 'harm-cdf')!;
    const spec = cdf.spec as unknown as { encoding: { x: { scale: { domain: [number, number] } } }; data: { values: { policy: string; value: number; p: number }[] }; title: { subtitle: string[] } };
    const [lo, hi] = spec.encoding.x.scale.domain;
    for (const [name, p] of Object.entries(summary.policies)) {
      expect(hi).toBeGreaterThanOrEqual(p.metrics.total_harm.p95);
      const rows = spec.data.values.filter((r) => r.policy === name);
      // (chart data carry six significant digits)
      expect(rows.every((r) => r.value >= lo - 1e-5 * Math.abs(lo) && r.value <= hi + 1e-5 * Math.abs(hi))).toBe(true);
    }
    expect(spec.title.subtitle.join(' ')).toMatch(/at least 95% of every policy's paths are in view/);
  });
});

describe('the sweep heatmap', () => {
  it('writes each cell value in its cell and money inputs on money axes', () => {
    const point = (cash: number, days: number, mean: number) => ({ point: 0, values: { 'firm.cash': cash, 'revocation.duration_days': days }, policies: { p: { metrics: { total_harm: { mean } } } } });
    const json = {
      scenario: { name: 's', title: 'S', file: 's.yaml', sha256: 'x', currency: 'USD' },
      run: { seed: 1, paths: 10, version: '0' },
      keys: [{ key: 'firm.cash', points: [300000, 600000] }, { key: 'revocation.duration_days', points: [14, 60] }],
      points: [point(300000, 14, 100000), point(600000, 14, 50000), point(300000, 60, 400000), point(600000, 60, 250000)],
    };
    const [chart] = sweepCharts(json as never);
    const spec = chart.spec as unknown as { data: { values: { label: string }[] }; spec: { encoding: { x: { axis: { labelExpr?: string } }; y: { axis: { labelExpr?: string } } }; layer: { mark: unknown }[] } };
    expect(spec.data.values.map((v) => v.label)).toEqual(['$100k', '$50.0k', '$400k', '$250k']);
    expect(spec.spec.layer.some((l) => (l.mark as { type?: string }).type === 'text')).toBe(true);
    expect(spec.spec.encoding.x.axis.labelExpr).toMatch(/format\(datum\.value, '\$/);
    expect(spec.spec.encoding.y.axis.labelExpr).toBeUndefined(); // days are not money
  });
});
