/**
 * The daily series against the per-path reference: for every world, sketched variable and a
 * spread of stored days, series.csv's mean is the mean of the paths' values and each quantile is
 * within the sketch's stated accuracy of the exact type-7 quantile. This covers worlds whose lanes
 * read the gap of another world's (plan.laneLead), phased worlds and mitigation. The engine's sketches (filled in WebAssembly) must also hold exactly the buckets
 * that stats/sketch.ts gives the same values.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/engine/run.js';
import { cellOf, SERIES, SERIES_FLOORS, SKETCHED } from '../../src/engine/series.js';
import { simulatePath } from '../../src/model/path.js';
import { seriesRows } from '../../src/analysis/run.js';
import { RELATIVE_ACCURACY, SketchGrid } from '../../src/stats/sketch.js';
import { quantileSorted } from '../../src/stats/summary.js';
import { uncertainScenario } from '../helpers.js';

const PATHS = 400;
const SEED = 5;
const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

describe('daily series', () => {
  it('match the per-path reference: exact means, quantiles within the sketch accuracy', async () => {
    const loaded = await uncertainScenario();
    const result = await runSimulation(loaded, { paths: PATHS, seed: SEED, threads: 1 });
    const { plan } = result;
    expect(plan.laneLead.flat().filter(Boolean).length).toBeGreaterThan(0);

    const days = [0, 9, 10, 11, 40, 80, 120, 160, 199];
    const names = ['butfor', ...plan.policies.map((p) => p.name)];
    // values[world][variable][day index][path]
    const values = names.map(() => SERIES.slice(0, SKETCHED).map(() => days.map(() => new Float64Array(PATHS))));
    for (let path = 0; path < PATHS; path++) {
      const { butfor, worlds } = simulatePath(loaded, SEED, path);
      const traces = [butfor, ...worlds.map((w) => w.trace)];
      traces.forEach((trace, w) => {
        let harm = 0;
        let next = 0;
        for (let t = 0; t <= days[days.length - 1]; t++) {
          harm += plan.discount[t] * (butfor.profit[t] - trace.profit[t]);
          if (t !== days[next]) continue;
          const row = [trace.gap[t], trace.quality[t], trace.share[t], 365 * trace.revenue[t], w === 0 ? 0 : harm];
          row.forEach((x, v) => (values[w][v][next][path] = x));
          next++;
        }
      });
    }

    const rows = new Map(seriesRows(result).map((r) => [`${r.policy}|${r.variable}|${r.day}`, r]));
    let checked = 0;
    names.forEach((name, w) => {
      SERIES.slice(0, SKETCHED).forEach((variable, v) => {
        days.forEach((day, d) => {
          const row = rows.get(`${name}|${variable}|${day}`)!;
          const xs = values[w][v][d];
          const sorted = Float64Array.from(xs).sort();
          const mean = xs.reduce((a, b) => a + b, 0) / PATHS;
          const where = `${name} ${variable} day ${day}`;
          expect(Math.abs(row.mean - mean), `${where}: mean`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(mean)));
          if (v > 0) {
            // The same buckets as the JavaScript sketch of the same values (the gap is held
            // unscaled, so that variable is covered by the accuracy check below only).
            const js = new SketchGrid(1, Float64Array.of(SERIES_FLOORS[v]));
            for (const x of xs) js.add(0, x);
            const c = cellOf(plan, w, v, plan.seriesDays.indexOf(day));
            expect(result.sketches.count(c), `${where}: count`).toBe(PATHS);
            for (let p = 0; p <= 1; p += 1 / 64) expect(result.sketches.quantile(c, p), `${where}: buckets at p=${p}`).toBe(js.quantile(0, p));
          }
          QUANTILES.forEach((p, k) => {
            const h = (PATHS - 1) * p;
            const [lo, hi] = [sorted[Math.floor(h)], sorted[Math.ceil(h)]];
            const bound = RELATIVE_ACCURACY * Math.max(Math.abs(lo), Math.abs(hi)) + SERIES_FLOORS[v] + 1e-12;
            const estimate = [row.p05, row.p25, row.p50, row.p75, row.p95][k];
            expect(Math.abs(estimate - quantileSorted(sorted, p)), `${where}: p${p}`).toBeLessThanOrEqual(bound);
            checked++;
          });
        });
      });
    });
    expect(checked).toBe(names.length * SKETCHED * days.length * QUANTILES.length);
  });
});
