/** The cost-of-delay exhibit's paths: a twentieth of the run's, raised fourfold (up to the run's) until one more day is clear. */
import { describe, expect, it } from 'vitest';
import { DELAY_METRICS, delayPaths, delayPoints, runDelaySweep } from '../../src/study/delay.js';
import { runStudy } from '../../src/study/run.js';
import { runSimulation } from '../../src/engine/run.js';
import { runSummary, seriesRows, withCostOfDelay } from '../../src/analysis/run.js';
import { buildCharts } from '../../src/charts/specs.js';
import { costOfDelay, oneMoreDayIsClear } from '../../src/analysis/delay.js';
import { baseScenario, loadDoc } from '../helpers.js';

async function scenario() {
  const doc = baseScenario();
  doc.revocation.duration_days = { dist: 'uniform', min: 10, max: 60 };
  doc.firm.cash = { dist: 'uniform', min: 200_000, max: 2_000_000 };
  return loadDoc(doc);
}

describe('the cost-of-delay sweep', () => {
  it('runs on a twentieth of the paths when that pins one more day down, and on four times more, up to the run, while it does not', async () => {
    const loaded = await scenario();
    const settings = { seed: 3, paths: 20_000, threads: 1 };
    expect(delayPaths(settings.paths)).toBe(1000);
    const seen: number[] = [];
    const never = (s: { paths: number }) => (seen.push(s.paths), false);
    // 250 (a twentieth, at least 250), 1,000, then the run's own 2,000, where it stops asking.
    const sweep = await runDelaySweep(loaded, { ...settings, paths: 2000 }, undefined, never);
    expect(seen).toEqual([250, 1000]);
    expect(sweep!.paths).toBe(2000);
    const clear = await runDelaySweep(loaded, { ...settings, paths: 2000 }, undefined, oneMoreDayIsClear);
    expect(clear!.paths).toBe(250);
    expect(oneMoreDayIsClear(clear!)).toBe(true);
  });

  it('holds only the metrics it reads, and gives the figures of a sweep that holds every one', async () => {
    const loaded = await scenario();
    const settings = { seed: 5, paths: 300, threads: 1 };
    const sweep = (await runDelaySweep(loaded, settings))!;
    expect(sweep.study.metrics).toEqual(DELAY_METRICS);
    for (const perPolicy of sweep.study.values) for (const perMetric of perPolicy) expect(perMetric.map((xs) => xs.length)).toEqual([sweep.paths, sweep.paths, sweep.paths]);
    const every = await runStudy(loaded, sweep.durations.map((d) => new Map([[sweep.id, d]])), { ...settings, paths: sweep.paths });
    expect(every.metrics.length).toBeGreaterThan(DELAY_METRICS.length);
    expect(JSON.stringify(costOfDelay(sweep))).toBe(JSON.stringify(costOfDelay({ ...sweep, study: every })));
  });

  it('holds its figure number while it runs, so the charts after it are specified, and drawn, once', async () => {
    const doc = baseScenario();
    doc.revocation.duration_days = { dist: 'uniform', min: 10, max: 60 };
    doc.policies['what-happened'] = { phases: [{ restrict: { everyone: true }, days: 10, by: 'provider' }, { restrict: { nationality_not_in: ['US'] } , by: 'government' }] };
    const loaded = await loadDoc(doc);
    const settings = { seed: 3, paths: 300, threads: 1 };
    const result = await runSimulation(loaded, settings);
    const summary = runSummary(loaded, result, {});
    const rows = seriesRows(result);
    expect(delayPoints(loaded, settings.seed, settings.paths)).toBeDefined();
    const early = buildCharts(result, summary, rows, undefined, { delayPending: true });
    const delay = await runDelaySweep(loaded, settings);
    const final = buildCharts(result, withCostOfDelay(summary, delay), rows);
    expect(final.map((c) => c.name).slice(-2)).toEqual(['cost-of-delay', 'attribution']);
    expect(early.map((c) => c.name)).toEqual(final.map((c) => c.name).filter((n) => n !== 'cost-of-delay'));
    for (const chart of early) expect(JSON.stringify(chart.spec), chart.name).toBe(JSON.stringify(final.find((c) => c.name === chart.name)!.spec));
    // Without the held number the attribution chart would be numbered 10, then 11.
    const unheld = buildCharts(result, summary, rows);
    expect(JSON.stringify(unheld.at(-1)!.spec)).not.toBe(JSON.stringify(final.at(-1)!.spec));
  });
});
