import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { workedExampleMarkdown } from '../../src/report/worked.js';

describe('docs/model.md', () => {
  const doc = readFileSync('docs/model.md', 'utf8');
  it('holds the worked example tables the engine computes (npm run schema rewrites them)', async () => {
    const tables = await workedExampleMarkdown(await loadScenario('scenarios/worked-example.yaml'));
    const block = /<!-- worked-example:begin -->\n([\s\S]*?)\n<!-- worked-example:end -->/.exec(doc)?.[1];
    expect(block).toBe(tables);
  });
  it('states the hand-computed values that the tables show', async () => {
    const tables = await workedExampleMarkdown(await loadScenario('scenarios/worked-example.yaml'));
    expect(tables).toContain('| 3 | 0.5 | 0.97 | 1 | 10,000 | 1,000 | 0 |');
    expect(tables).toContain('| 4 | 0.5 | 0.946 | 0.9925 | 9,925 |');
    expect(tables).toContain('| 7 | 0.303265 |');
    expect(tables).toContain('| 2 | 0.5 | 1 | 1 | 10,000 | 500 | 500 |');
    expect(tables).toContain('| 470.263 |');
    expect(tables).toContain('| after_restoration_share | 0.935352 |');
    expect(tables).toContain('| pv_terminal_recovery | 2,543.41 |');
    expect(tables).toContain('| total_harm | 8,758.81 |');
    for (const text of ['0.85', '0.97', '0.9925', '0.3033', '470.26', '93.5%', '2,543', '8,759']) expect(doc).toContain(text);
  });
  it('holds the worked example of mitigation the engine computes, with its hand-computed values', async () => {
    const tables = await workedExampleMarkdown(await loadScenario('scenarios/worked-mitigation.yaml'), 'location', true);
    const block = /<!-- worked-mitigation:begin -->\n([\s\S]*?)\n<!-- worked-mitigation:end -->/.exec(doc)?.[1];
    expect(block).toBe(tables);
    expect(tables).toContain('| 2 | 0.5 | 1 | 1 | 10,000 | 500 | 500 | 500 |');
    expect(tables).toContain('| 4 | 0.5 | 0.946 | 0.9925 | 9,925 | 7,000 | -6,045 |');
    expect(tables).toContain('| 7 | 0.421306 |');
    expect(tables).toMatch(/\| 9 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d,.]+ \| 60 \|/);
    expect(tables).toMatch(/\| 14 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d,.]+ \| 110 \|/);
    expect(tables).toContain('| relocated_heads | 2 |');
    expect(tables).toContain('| displaced_heads | 1 |');
    for (const text of ['7,000', '-6,045', '0.421', '0.2·500 = 100', '0.1·500 = 50', '= 10']) expect(doc).toContain(text);
  });
  it('names every metric and series variable the engine reports', async () => {
    const { METRICS, MITIGATION_METRICS } = await import('../../src/model/metrics.js');
    const { SERIES } = await import('../../src/engine/series.js');
    for (const name of [...METRICS, ...MITIGATION_METRICS, ...SERIES]) expect(doc).toContain(name);
  });
});
