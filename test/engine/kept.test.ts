/**
 * Metrics a run holds per path (Plan.keptMetrics): attribution sub-worlds hold what section 4c
 * splits, a study holds what it reads, and what a world takes from another (a decision's option,
 * an alias's source) holds at least what it needs; the values held are the values of a run that
 * holds every metric, to the byte.
 */
import { describe, expect, it } from 'vitest';
import { BlockSimulator, makePlan, makeSketches } from '../../src/engine/block.js';
import { RunAccumulator } from '../../src/engine/reduce.js';
import { blockRange } from '../../src/engine/schedule.js';
import { loadScenario } from '../../src/scenario/load.js';
import { ATTRIBUTED_METRICS } from '../../src/model/metrics.js';
import type { Plan } from '../../src/engine/plan.js';
import { chooseOptions } from '../../src/engine/decide.js';

const bytes = (xs: Float64Array) => Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength).toString('base64');
const names = (plan: Plan, i: number) => plan.metrics.filter((_m, j) => plan.keptMetrics[i][j]);

/** Every decision's options hold total_harm and what the deciding world holds; every alias's source what the alias holds. */
function expectClosed(plan: Plan): void {
  const harm = plan.metrics.indexOf('total_harm');
  for (const d of plan.decisions) {
    for (const o of d.options) {
      expect(plan.keptMetrics[o.entry][harm]).toBe(true);
      plan.keptMetrics[d.entry].forEach((kept, j) => kept && expect(plan.keptMetrics[o.entry][j], `option ${o.entry} of ${d.entry}: ${plan.metrics[j]}`).toBe(true));
    }
  }
  plan.aliasOf.forEach((source, i) => {
    if (source > 0) plan.keptMetrics[i].forEach((kept, j) => kept && expect(plan.keptMetrics[source - 1][j]).toBe(true));
  });
}

describe('metrics held per path', () => {
  it('holds every metric of the compared policies and what attribution splits of its sub-worlds', async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const plan = makePlan(loaded, { attribution: true });
    expect(plan.attributions.length).toBeGreaterThan(0);
    for (let i = 0; i < plan.compared; i++) expect(names(plan, i)).toEqual(plan.metrics);
    const subWorlds = plan.attributions.flatMap((a) => a.subsets.filter((entry, mask) => mask > 0 && entry !== a.entry));
    expect(subWorlds.length).toBeGreaterThan(0);
    for (const entry of subWorlds) expect(names(plan, entry)).toEqual(ATTRIBUTED_METRICS);
    expectClosed(plan);
  });

  it('holds what a study reads, and what its decisions compare', async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const plan = makePlan(loaded, { keep: ['lost_revenue', 'owner_harm'], lastDayOnly: true });
    expect(plan.decisions.length).toBeGreaterThan(0);
    // A compared policy that is a decision's option (the twin that does not mitigate: option none) holds total_harm too.
    const options = new Set(plan.decisions.flatMap((d) => d.options.map((o) => o.entry)));
    expect([...options].some((e) => e < plan.compared)).toBe(true);
    expect([...options].some((e) => e >= plan.compared)).toBe(true);
    for (let i = 0; i < plan.compared; i++) expect(names(plan, i)).toEqual(options.has(i) ? ['lost_revenue', 'total_harm', 'owner_harm'] : ['lost_revenue', 'owner_harm']);
    for (const e of options) if (e >= plan.compared) expect(names(plan, e)).toEqual(['lost_revenue', 'total_harm', 'owner_harm']);
    expectClosed(plan);
  });

  it('numbers what a run holds as columns: a study holds no insolvency day, and where a decision arises only for the decisions it makes', async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const run = makePlan(loaded, { attribution: true });
    const study = makePlan(loaded, { keep: ['total_harm'], lastDayOnly: true });
    const simulated = (plan: Plan) => plan.aliasOf.flatMap((a, i) => (a === -1 ? [i] : []));
    const held = (columns: number[]) => columns.flatMap((c, i) => (c >= 0 ? [i] : []));
    // A run: each kept metric, insolvency day and decision of every simulated world, numbered 0, 1, 2, ...
    expect(held(run.columns.insolvencyDay)).toEqual(simulated(run));
    expect(held(run.columns.arises)).toEqual(simulated(run));
    const all = [...run.columns.metric.flat(), ...run.columns.insolvencyDay, ...run.columns.arises].filter((c) => c >= 0);
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: run.columns.count }, (_, j) => j));
    run.columns.metric.forEach((cs, i) => cs.forEach((c, m) => expect(c >= 0, `${i}.${m}`).toBe(run.keptMetrics[i][m] && run.aliasOf[i] === -1)));
    // A study's pass: no insolvency day; where its decisions arise (and the worlds those alias).
    expect(study.decisions.length).toBeGreaterThan(0);
    expect(held(study.columns.insolvencyDay)).toEqual([]);
    const read = study.decisions.map((d) => d.arisesFrom).filter((e) => e >= 0);
    expect(read.length).toBeGreaterThan(0);
    for (const e of read) expect(study.columns.arises[study.aliasOf[e] > 0 ? study.aliasOf[e] - 1 : e]).toBeGreaterThanOrEqual(0);
    expect(held(study.columns.arises).length).toBeLessThan(simulated(study).length);
  });

  it('a study that holds less decides as a run that holds every value does', async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const paths = 600;
    const decide = (plan: Plan) => {
      const acc = new RunAccumulator(plan, paths);
      const sim = new BlockSimulator(loaded, plan, { seed: 3, paths });
      acc.add(sim.run(0, ...blockRange(0, paths)));
      let chosen: [number, number][] = [];
      acc.result(makeSketches(plan), (partial) => {
        const made = chooseOptions(plan, partial);
        chosen = [...made.chosen];
        return made.chosen;
      });
      return chosen;
    };
    const full = decide(makePlan(loaded, { lastDayOnly: true }));
    expect(full.length).toBeGreaterThan(0);
    expect(decide(makePlan(loaded, { lastDayOnly: true, keep: ['owner_harm'] }))).toEqual(full);
  });

  it('gives the held metrics the bytes of a run that holds every one, merged or exported in parts alike', async () => {
    const loaded = await loadScenario('scenarios/legion-canada.yaml');
    const full = makePlan(loaded, { attribution: true });
    const kept = makePlan(loaded, { attribution: true, keep: ['total_harm', 'insolvent'] });
    const paths = 1100;
    // Each plan's blocks carry the values its run holds (Plan.columns); a block's arrays are its simulator's until the next block.
    const sims = [full, kept].map((plan) => new BlockSimulator(loaded, plan, { seed: 9, paths }));
    const block = (plan: number, b: number) => sims[plan].run(b, ...blockRange(b, paths));
    const all = new RunAccumulator(full, paths);
    const some = new RunAccumulator(kept, paths);
    const second = new RunAccumulator(kept, paths);
    all.add(block(0, 0));
    some.add(block(1, 0));
    all.add(block(0, 1));
    second.add(block(1, 1));
    expect(kept.columns.count).toBeLessThan(full.columns.count);
    await some.addPart(second.exportPart());
    const a = all.result(makeSketches(full));
    const b = some.result(makeSketches(kept));
    let held = 0;
    b.metrics.forEach((perMetric, i) =>
      perMetric.forEach((xs, j) => {
        // A world equal to the but-for world has its zeros whole.
        if (i < kept.compared && kept.aliasOf[i] !== 0 && !kept.keptMetrics[i][j]) expect(xs.length, `${i}.${kept.metrics[j]}`).toBe(0);
        else if (xs.length > 0) {
          held++;
          expect(bytes(xs), `${i}.${kept.metrics[j]}`).toBe(bytes(a.metrics[i][j]));
        }
      }),
    );
    expect(held).toBeGreaterThan(kept.compared);
    expect(bytes(b.butforValue)).toBe(bytes(a.butforValue));
    expect(bytes(b.seriesMeans)).toBe(bytes(a.seriesMeans));
  });
});
