/**
 * The package's public API, imported by its name as a user's script would (package.json
 * "exports" points at the built dist/index.js and its declarations).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, scenarioWarnings, ScenarioError, writeReport, METRICS, type SummaryJson } from 'accessgap';
import { expectSameReport, runCli, tempDir } from './helpers.js';

describe("import { ... } from 'accessgap'", () => {
  it('loads, runs and summarizes a scenario, and writes the same report as the CLI', async () => {
    const loaded = await loadScenario('scenarios/worked-example.yaml');
    expect(scenarioWarnings(loaded.scenario)).toEqual([]);
    const run = await runScenario(loaded, { paths: 3, seed: 1 });
    const summary: SummaryJson = run.summary;
    expect(summary.schema).toBe('accessgap/summary@3');
    expect(summary.policies.blanket.metrics.total_harm.mean).toBeCloseTo(8758.81, 1);
    expect(Array.from(run.values('blanket', 'revoked_days'))).toEqual([5, 5, 5]);
    expect(METRICS).toContain('owner_harm');
    expect(() => run.values('nobody', 'total_harm')).toThrow(/no compared policy named "nobody" \(blanket\)/);
    const dir = join(tempDir(), 'report');
    await writeReport(dir, run);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).policies.blanket.metrics.total_harm.mean).toBe(summary.policies.blanket.metrics.total_harm.mean);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    // The CLI builds the report's summary and draws its charts while the cost-of-delay exhibit
    // simulates (earlyReport), the API all at once: the same bytes.
    const cli = join(tempDir(), 'cli');
    expect((await runCli(['run', 'scenarios/worked-example.yaml', '--paths', '3', '--seed', '1', '--threads', '1', '--quiet', '--out', cli])).code).toBe(0);
    expect(existsSync(join(cli, 'charts', 'cost-of-delay.svg'))).toBe(true);
    expectSameReport(dir, cli);
  });
  it('throws a ScenarioError listing every problem for an invalid file', async () => {
    await expect(loadScenario('test/fixtures/invalid/misspelled-key.yaml')).rejects.toBeInstanceOf(ScenarioError);
  });
});
