import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { loadValidated, RecentScenarios } from '../../src/scenario/loaded.js';
import { simulatePath } from '../../src/model/path.js';
import { baseScenario, loadDoc } from '../helpers.js';

/** What a worker thread is given (engine/protocol.ts's WorkerStart): the scenario, its text and trees, cloned as postMessage clones them. */
const asWorkerTakesIt = (loaded: Awaited<ReturnType<typeof loadScenario>>) => loadValidated(structuredClone(loaded.scenario), loaded.text, structuredClone(loaded.expressionTrees));

describe('a validated scenario handed to another thread', () => {
  it('is the scenario parseScenario gives, for every shipped scenario (a copula and its Cholesky factor included)', async () => {
    for (const name of ['legion-canada', 'sea-multinational', 'bench', 'worked-example', 'worked-mitigation']) {
      const loaded = await loadScenario(`scenarios/${name}.yaml`);
      const taken = await asWorkerTakesIt(loaded);
      expect(isDeepStrictEqual(taken.scenario, loaded.scenario), name).toBe(true);
      expect(taken.text).toBe(loaded.text);
    }
  });

  it('compiles its expressions from the trees to the same functions: a path draws the same values', async () => {
    const doc = baseScenario();
    doc.firm.credit_line = '1000 * (market.permanent_share + firm.growth_persistence) + revocation.duration_days';
    doc.firm.cash = { dist: 'uniform', min: 100_000, max: 900_000 };
    doc.firm.operating_costs_annual = '0.4 * firm.revenue_annual + firm.cash / 10';
    const loaded = await loadDoc(doc);
    const taken = await asWorkerTakesIt(loaded);
    expect(taken.expressions.size).toBe(2);
    for (const path of [0, 1, 7]) expect(simulatePath(taken, 3, path).values).toEqual(simulatePath(loaded, 3, path).values);
  });

  it('is taken once per key by a thread (RecentScenarios), the oldest of more than it keeps let go', async () => {
    const recent = new RecentScenarios(2);
    const loaded = await loadScenario('scenarios/worked-example.yaml');
    let loads = 0;
    const load = async () => (loads++, loaded);
    for (const key of ['a', 'b', 'a', 'b', 'c', 'b', 'a']) await recent.get(key, load);
    // a, b loaded; a, b kept; c loaded (a let go); b kept; a loaded again.
    expect(loads).toBe(4);
  });
});
