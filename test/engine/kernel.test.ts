/**
 * The lockstep kernel (engine/kernel.ts) must compute exactly what the per-path reference
 * computes (model/path.ts runs simulateWorld for every world, then computeMetrics): the same
 * operations in the same order, so the metrics agree bit for bit on every path, for every policy.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/engine/run.js';
import { simulatePath } from '../../src/model/path.js';
import { kernelImports, kernelModule } from '../../src/engine/kernel.js';
import { BlockSimulator, makePlan } from '../../src/engine/block.js';
import { blockRange } from '../../src/engine/schedule.js';
import { uncertainScenario } from '../helpers.js';

describe('lockstep kernel', () => {
  it('matches the per-path reference simulateWorld bit for bit on every metric of every path', async () => {
    const loaded = await uncertainScenario();
    const paths = 300;
    const result = await runSimulation(loaded, { paths, seed: 9, threads: 1 });
    const { plan } = result;
    const index = (name: string) => plan.policies.findIndex((p) => p.name === name);
    // The comparison covers lanes that read their gap from an earlier world's, and worlds that cannot.
    expect(plan.laneLead.flat().filter(Boolean).length).toBeGreaterThan(0);
    expect(plan.laneLead[index('licence')].every((l) => l === undefined)).toBe(true);
    // ... among them moved and hired lanes, which switch on their own day (td plus the delay).
    expect(plan.layouts.some((layout, i) => layout.lanes.some((lane, j) => lane.kind !== 'stay' && plan.laneLead[i][j] !== undefined))).toBe(true);
    expect(plan.layouts[index('what-happened')].lanes.length).toBeGreaterThan(1);
    const seen = { insolvent: 0, mitigated: 0, moved: 0 };
    for (let path = 0; path < paths; path++) {
      const { worlds, metrics } = simulatePath(loaded, 9, path);
      worlds.forEach(({ layout, values }, i) => {
        seen.insolvent += values[metrics.indexOf('insolvent')];
        seen.mitigated += values[metrics.indexOf('mitigated')];
        seen.moved += values[metrics.indexOf('relocated_heads')] > 0 ? 1 : 0;
        metrics.forEach((m, j) => expect(result.metrics[i][j][path], `${layout.policy.name}.${m} on path ${path}`).toBe(values[j]));
      });
    }
    // The comparison covered insolvency and financing, and mitigation with relocation.
    expect(seen.insolvent).toBeGreaterThan(0);
    expect(seen.mitigated).toBeGreaterThan(0);
    expect(seen.moved).toBeGreaterThan(0);
  });
  it('refuses a lane that would read the gap of a lane switching on another day', async () => {
    const loaded = await uncertainScenario();
    const plan = makePlan(loaded, {});
    // A hired lane made to read a moved lane's gap: the two switch after different delays.
    const i = plan.layouts.findIndex((l) => l.lanes.some((lane) => lane.kind === 'moved') && l.lanes.some((lane) => lane.kind === 'hired'));
    const moved = plan.layouts[i].lanes.findIndex((lane) => lane.kind === 'moved');
    const hired = plan.layouts[i].lanes.findIndex((lane) => lane.kind === 'hired');
    expect(plan.laneLead[i][moved]).toBeUndefined();
    plan.laneLead[i][hired] = [i, moved];
    const sim = new BlockSimulator(loaded, plan, { seed: 9, paths: 64 });
    expect(() => sim.run(0, ...blockRange(0, 64))).toThrow(/internal: lane \d+ of world \d+ reads the gap of lane \d+ of world \d+, which switches on day/);
  });
  it('says what to change when the series sketches would not fit in WebAssembly memory', () => {
    const instance = new WebAssembly.Instance(kernelModule(), kernelImports(() => 0));
    const alloc = instance.exports.alloc as (bytes: number) => number;
    expect(alloc(1024)).toBeGreaterThan(0);
    expect(alloc(2_000_000_000)).toBeGreaterThan(0); // reserved, not touched: no memory used
    expect(() => alloc(2_500_000_000)).toThrow(/past WebAssembly's 4 GiB: store fewer series days \(simulation.series_step_days\) or compare fewer policies/);
  });
});
