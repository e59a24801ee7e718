import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../src/charts/specs.js';
import { renderChart } from '../../src/charts/render.js';
import { packageFile } from '../../src/charts/assets.js';
import { PALETTE, BUTFOR_COLOR } from '../../src/charts/theme.js';
import { textWidthEm } from '../../src/charts/text.js';
import { loadScenario } from '../../src/scenario/load.js';
import { seriesRows } from '../../src/report/summary.js';
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
  it('are the nine exhibits, numbered in order', () => {
    expect(charts.map((c) => c.name)).toEqual(['cumulative-harm', 'harm-decomposition', 'revenue', 'capability-gap', 'survival', 'harm-distribution', 'harm-cdf', 'policy-comparison', 'convergence']);
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
    const policies = result.plan.policies.map((p) => p.name);
    const expected = new Map<string, string>([['butfor', BUTFOR_COLOR], ...policies.map((p, i) => [p, PALETTE[i]] as [string, string])]);
    let scales = 0;
    for (const c of charts) {
      for (const scale of collect(c.spec, 'scale') as { domain?: unknown[]; range?: unknown[] }[]) {
        if (!Array.isArray(scale.domain) || !Array.isArray(scale.range) || !scale.domain.every((d) => typeof d === 'string' && expected.has(d))) continue;
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

  it('measure text with the shipped font, not a fixed guess', () => {
    // DejaVu Sans: "i" is much narrower than "W"; the fallback estimate would make them equal.
    expect(textWidthEm('i')).toBeLessThan(0.4);
    expect(textWidthEm('W')).toBeGreaterThan(0.9);
    expect(textWidthEm('Day', true)).toBeGreaterThan(textWidthEm('Day'));
  });
});
