import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../src/charts/specs.js';
import { renderChart } from '../../src/charts/render.js';
import { packageFile } from '../../src/charts/assets.js';
import { PALETTE, BUTFOR_COLOR } from '../../src/charts/theme.js';
import { loadFaces, textWidthEm } from '../../src/charts/text.js';
import { loadScenario } from '../../src/scenario/load.js';
import { seriesRows } from '../../src/analysis/run.js';
import { RELATIVE_ACCURACY } from '../../src/stats/sketch.js';
import { simulate } from '../helpers.js';

const loaded = await loadScenario('scenarios/legion-canada.yaml');
const { result, summary } = await simulate(loaded, { paths: 600, seed: 3 });
const charts = buildCharts(result, summary, seriesRows(result));

/** All values of a key anywhere in a spec. */
function collect(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((n) => collect(n, key, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) (k === key ? out.push(v) : collect(v, key, out));
  return out;
}

describe('charts', () => {
  it('are the exhibits, numbered in order (who caused the harm for the policy whose phases name parties)', () => {
    expect(charts.map((c) => c.name)).toEqual(['cumulative-harm', 'harm-decomposition', 'revenue', 'capability-gap', 'survival', 'harm-distribution', 'harm-cdf', 'policy-comparison', 'convergence', 'attribution']);
    charts.forEach((c, i) => expect((c.spec as { title: { text: string } }).title.text).toMatch(new RegExp(`^Figure ${i + 1}\\. `)));
  });

  it('validate against the Vega-Lite JSON Schema shipped in the vega-lite package', () => {
    const ajv = new Ajv({ strict: false, allErrors: false });
    const validate = ajv.compile(JSON.parse(readFileSync(packageFile('vega-lite', 'build/vega-lite-schema.json'), 'utf8')));
    for (const c of charts) expect(validate(c.spec), `${c.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    expect(validate({ data: { values: [] }, mark: 'pie-chart-please' })).toBe(false);
  });

  it('render with vega to SVG and PNG with no warnings', async () => {
    for (const c of charts) {
      const r = await renderChart(c.spec);
      expect(r.warnings, c.name).toEqual([]);
      expect(r.svg).toMatch(/^<svg /);
      expect(r.svg).toContain(`Figure ${charts.indexOf(c) + 1}.`);
      // PNG signature and a sensible size (IHDR width and height, 2x scale).
      const png = Buffer.from(r.png);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      expect(w, c.name).toBeGreaterThan(800);
      expect(w, c.name).toBeLessThan(4000);
      expect(h, c.name).toBeGreaterThan(400);
    }
  });

  it('carry a subtitle in words and a source line naming scenario, sha256 prefix, seed, paths and version', () => {
    for (const c of charts) {
      const sub = (c.spec as { title: { subtitle: string[] } }).title.subtitle;
      expect(sub.length, c.name).toBeGreaterThanOrEqual(2);
      expect(sub[sub.length - 1]).toBe(`Source: accessgap ${summary.run.version}; scenario legion-canada (sha256 ${summary.scenario.sha256.slice(0, 8)}); seed 3; 600 paths.`);
      for (const line of sub) expect(line.length, `${c.name}: "${line}"`).toBeLessThanOrEqual(110);
    }
  });

  it('give every world the same colour in every chart, with but-for in grey', () => {
    // In run order, hypothetical policies (worlds that did not happen) after the others.
    const names = result.plan.policies.map((p) => p.name);
    const hypothetical = (p: string) => summary.policies[p].status === 'hypothetical';
    const policies = [...names.filter((p) => !hypothetical(p)), ...names.filter(hypothetical)];
    expect(policies.slice(-3)).toEqual(['shutoff', 'blanket', 'blanket-no-mitigation']);
    const expected = new Map<string, string>([['butfor', BUTFOR_COLOR], ...policies.map((p, i) => [p, PALETTE[i]] as [string, string])]);
    let scales = 0;
    for (const c of charts) {
      for (const scale of collect(c.spec, 'scale') as { domain?: unknown[]; range?: unknown[] }[]) {
        if (!Array.isArray(scale.domain) || !Array.isArray(scale.range) || !scale.domain.every((d) => typeof d === 'string' && expected.has(d))) continue;
        // Dash scales (number arrays) give each world a dash of its own, in the same order.
        if (scale.range.every((r) => Array.isArray(r))) {
          expect(new Set(scale.range.map((r) => (r as number[]).join(','))).size, `${c.name}: dashes`).toBe(scale.domain.length);
          continue;
        }
        scale.domain.forEach((d, i) => expect(scale.range![i], `${c.name}: ${d}`).toBe(expected.get(d as string)));
        scales++;
      }
    }
    expect(scales).toBeGreaterThanOrEqual(8);
  });

  it('format money axes as currency with SI suffixes', () => {
    const formats = charts.flatMap((c) => collect(c.spec, 'format'));
    expect(formats).toContain('$.3~s');
  });

  it('measure text with the shipped font, not a fixed guess', async () => {
    await loadFaces();
    // DejaVu Sans: "i" is much narrower than "W"; the fallback estimate would make them equal.
    expect(textWidthEm('i')).toBeLessThan(0.4);
    expect(textWidthEm('W')).toBeGreaterThan(0.9);
    expect(textWidthEm('Day', true)).toBeGreaterThan(textWidthEm('Day'));
  });
});

describe('charts of tiny runs', () => {
  it('draw something for a horizon of one day and three paths, and keep panels in place with a long policy name', async () => {
    const { parseScenario } = await import('../../src/scenario/load.js');
    const { runSimulation } = await import('../../src/engine/run.js');
    const { buildSummary, seriesRows } = await import('../../src/analysis/run.js');
    const text = readFileSync('scenarios/worked-example.yaml', 'utf8')
      .replace('horizon_days: 20', 'horizon_days: 1')
      .replace('revocation: {start_day: 2,', 'revocation: {start_day: 0,')
      .replace('  blanket: {restrict: {nationality_not_in: [US]}}', '  blanket: {restrict: {nationality_not_in: [US]}}\n  a-very-long-policy-name-that-goes-on-and-on-beyond-any-panel-width: {restrict: {location_not_in: [US]}}');
    const loaded = await parseScenario(text, 'tiny.yaml');
    const result = await runSimulation(loaded, { paths: 3, seed: 1, threads: 1 });
    const summary = buildSummary(loaded, result);
    const tiny = buildCharts(result, summary, seriesRows(result));
    for (const c of tiny) {
      const { svg, warnings } = await renderChart(c.spec);
      expect(warnings, c.name).toEqual([]);
      // Every chart draws data marks with geometry (a line, a symbol, a bar), not empty panels.
      const drawn = svg.match(/<g class="mark-(symbol|line|rect|rule|tick|text) role-mark[^"]*"[^>]*><path[^>]* d="M/g) ?? [];
      expect(drawn.length, `${c.name} draws marks`).toBeGreaterThan(0);
      expect(svg).not.toContain('a-very-long-policy-name-that-goes-on-and-on-beyond-any-panel-width<');
    }
  });
});

describe('survival chart', () => {
  it('labels its probability axis with distinct values, from at least 10 points below 100%', async () => {
    const c = charts.find((x) => x.name === 'survival')!;
    const { svg } = await renderChart(c.spec);
    const labels = [...svg.matchAll(/<text[^>]*>(\d+(?:\.\d+)?%)<\/text>/g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(new Set(labels).size).toBe(labels.length);
    const domain = (c.spec as any).layer ? (c.spec as any).encoding.y.scale.domain : undefined;
    expect(domain[1] - domain[0]).toBeGreaterThanOrEqual(0.1);
  });
});

describe('identical worlds', () => {
  it('are named in the legend, so a line hidden behind another is accounted for', () => {
    const c = charts.find((x) => x.name === 'survival')!;
    const labelExpr = collect(c.spec, 'labelExpr').join('\n');
    expect(labelExpr).toContain('allied-exemption (same as but-for)');
    expect(JSON.stringify((c.spec as any).title.subtitle)).toMatch(/Identical results, drawn on top of each other: allied-exemption = but-for/);
  });
});

describe('the revenue figure', () => {
  it('draw the revenue bands over the firms still solvent: no band drops to zero as firms fail, and the edges move with the days', () => {
    const all = seriesRows(result).filter((r) => r.variable === 'revenue_annualized');
    const data = (charts.find((c) => c.name === 'revenue')!.spec as { data: { values: { panel: string; world: string; day: number; p05: number; p50: number; mean: number; solvent: number }[] } }).data.values;
    for (const world of ['butfor', 'what-happened']) {
      const own = data.filter((r) => r.panel === 'what-happened' && r.world === world);
      const stored = all.filter((r) => r.policy === world);
      expect(own.map((r) => r.day)).toEqual(stored.map((r) => r.day));
      // Over all paths the 5th percentile falls to 0 once more than 5% of firms have failed (the notch) ...
      expect(Math.min(...stored.map((r) => r.p05))).toBe(0);
      expect(Math.min(...own.map((r) => r.solvent))).toBeLessThan(0.95);
      // ... over the solvent firms it does not, and the mean is the all-paths mean over the solvent share.
      expect(Math.min(...own.map((r) => r.p05))).toBeGreaterThan(500_000);
      // (Chart data keeps 6 significant digits.)
      own.forEach((r, j) => expect(Math.abs(r.mean * r.solvent - stored[j].mean) / stored[j].mean).toBeLessThan(1e-5));
      // The median line steps by less than half a sketch bucket a day (the bucket midpoints jump by a whole one).
      const steps = (xs: number[]) => Math.max(...xs.slice(1).map((x, i) => Math.abs(x / xs[i] - 1)));
      expect(steps(own.map((r) => r.p50))).toBeLessThan(RELATIVE_ACCURACY);
      expect(steps(stored.map((r) => r.p50))).toBeGreaterThan(RELATIVE_ACCURACY);
    }
  });
});

describe('charts on the calendar (exhibit.revocation_date)', () => {
  it('label the time axes with months from the revocation date and mark each event on every time chart', () => {
    const calendar = { date: '2026-06-12', day: 0, events: [{ date: '2026-06-23', label: 'complaint filed' }, { date: '2030-01-01', label: 'after the horizon' }] };
    const dated = buildCharts(result, summary, seriesRows(result), calendar);
    for (const name of ['cumulative-harm', 'revenue', 'capability-gap', 'survival']) {
      const spec = dated.find((c) => c.name === name)!.spec;
      const axis = collect(spec, 'axis').find((a: any) => a?.labelExpr?.includes('utcFormat')) as { values: number[]; labelExpr: string };
      expect(axis, name).toBeDefined();
      // Ticks on the first of each month: July 1, 2026 is day 19.
      expect(axis.values[0]).toBe(19);
      expect(axis.labelExpr).toContain(String(Date.UTC(2026, 5, 12)));
      const events = (collect(spec, 'values').flat() as any[]).filter((r) => r?.kind === 'event');
      expect(events.length, name).toBeGreaterThan(0);
      expect(events.every((e) => e.day === 11 && e.label === 'complaint filed (June 23, 2026)')).toBe(true);
      expect(JSON.stringify(spec)).toContain("datum.kind === 'event'");
    }
    // Without a calendar: days.
    expect(JSON.stringify(charts.find((c) => c.name === 'revenue')!.spec)).toContain('Day since the start of the horizon');
  });
});
