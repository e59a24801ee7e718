/**
 * The reference day loop (model/world.ts) and the WebAssembly kernel agree bit for bit on every
 * metric and every stored series cell, on scenarios that reach every branch; and the comparison
 * is sharp enough to catch a single reassociated sum in the kernel.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { compileKernelSource } from '../../scripts/compile-kernel.mjs';
import { describeDivergence, firstDivergence } from '../../src/engine/differential.js';
import { kernelModule, useKernelModule } from '../../src/engine/kernel.js';
import { loadScenario } from '../../src/scenario/load.js';
import { loadDoc, uncertainDoc, uncertainScenario } from '../helpers.js';
import { makePlan } from '../../src/engine/plan.js';
import { simulatePath } from '../../src/model/path.js';

const builtKernel = kernelModule();
afterEach(() => useKernelModule(builtKernel));

/** The kernel compiled from its source with `edit` applied, as the build compiles it (asconfig.json, the scalar target). */
async function compileKernel(edit: (source: string) => string): Promise<WebAssembly.Module> {
  const source = readFileSync('src/wasm/kernel.ts', 'utf8');
  const edited = edit(source);
  expect(edited).not.toBe(source);
  return compileKernelSource(edited, 'scalar');
}

describe('the two day loops', () => {
  it('agree on every metric and series cell of a scenario reaching phases, licence, financing, mitigation and the tail', async () => {
    const loaded = await uncertainScenario();
    const seen = { insolvent: 0, financed: 0, mitigated: 0, licensed: 0, phased: 0 };
    const divergence = firstDivergence(loaded, 9, 120, (_path, ref) => {
      const m = (name: string) => ref.metrics.indexOf(name as never);
      for (const w of ref.worlds) {
        seen.insolvent += w.values[m('insolvent')];
        seen.mitigated += w.values[m('mitigated')];
        seen.licensed += w.licenceApproved ? 1 : 0;
        seen.phased += w.world.phaseEnds[0] < Infinity && w.layout.policy.policy.phases.length > 1 ? 1 : 0;
        seen.financed += w.trace.financing.some((f) => f === 1) ? 1 : 0;
      }
    });
    expect(divergence && describeDivergence(divergence)).toBeUndefined();
    for (const [branch, count] of Object.entries(seen)) expect(count, branch).toBeGreaterThan(0);
  });

  it('agree on every world of a decision and an attribution: each option and each sub-world', async () => {
    const doc = uncertainDoc();
    doc.mitigation.decision = 'expected';
    doc.policies['what-happened'].phases[0].by = 'provider';
    doc.policies['what-happened'].phases[1].by = 'government';
    const loaded = await loadDoc(doc);
    const plan = makePlan(loaded, { attribution: true });
    expect(plan.attributions.length).toBe(1);
    expect(plan.decisions.length).toBeGreaterThan(4);
    expect(plan.policies.length).toBeGreaterThan(plan.compared + 6);
    // Series are recorded for the compared policies and their options, not for the sub-worlds
    // and theirs (whose cells firstDivergence checks are empty).
    const subWorlds = new Set(plan.attributions.flatMap((a) => a.subsets.filter((e, mask) => e !== undefined && mask < a.subsets.length - 1)));
    for (const d of plan.decisions) if (subWorlds.has(d.entry)) for (const o of d.options) subWorlds.add(o.entry);
    expect(subWorlds.size).toBeGreaterThan(2);
    plan.policies.forEach((p, i) => expect(plan.seriesKept[i], p.name).toBe(!subWorlds.has(i)));
    const divergence = firstDivergence(loaded, 9, 60);
    expect(divergence && describeDivergence(divergence)).toBeUndefined();
  });

  it('make a world revoked for 0 days the but-for world, which the plan aliases it to', async () => {
    // The plan does not simulate a world whose duration a variant fixes at 0 (the cost-of-delay
    // exhibit's first point): it takes the but-for world's results, zero harm. The reference loop
    // gives exactly these on every path: financing, mitigation, licences and phases included.
    const doc = uncertainDoc();
    const loaded = await loadDoc(doc);
    const id = loaded.scenario.revocation.duration_days;
    const plan = makePlan(loaded, { variants: [[[id, 0]], [[id, 30]]] });
    const perVariant = plan.compared / 2;
    expect(plan.aliasOf.slice(0, perVariant).every((a) => a === 0)).toBe(true);
    expect(plan.aliasOf.slice(perVariant).some((a) => a === -1)).toBe(true);
    doc.revocation.duration_days = 0;
    const none = await loadDoc(doc);
    const nonePlan = makePlan(none);
    const given = nonePlan.policies.map((policy, i) => ({ policy, layout: nonePlan.layouts[i] }));
    let financed = 0;
    for (let path = 0; path < 40; path++) {
      const ref = simulatePath(none, 9, path, given);
      for (const w of ref.worlds) {
        ref.metrics.forEach((m, j) => expect(w.values[j], `${w.layout.policy.name} ${m}`).toBe(m === 'insolvent' ? (ref.butfor.insolvencyDay >= 0 ? 1 : 0) : 0));
        financed += w.trace.financing.some((f) => f === 1) ? 1 : 0;
      }
    }
    expect(financed).toBeGreaterThan(0);
  });

  it('agree on the shipped scenarios', async () => {
    for (const name of ['legion-canada', 'sea-multinational', 'worked-mitigation']) {
      const loaded = await loadScenario(`scenarios/${name}.yaml`);
      const divergence = firstDivergence(loaded, 3, 12);
      expect(divergence && describeDivergence(divergence), name).toBeUndefined();
    }
  });

  it('catch one reassociated sum: the stored capability gap summed over lanes in reverse order', async () => {
    const loaded = await uncertainScenario();
    const forward = '      for (let j = 0; j < lanes; j++) {\n        const ld = dir + ((<usize>j * Lane.FIELDS) << 2);\n        gap +=';
    useKernelModule(await compileKernel((s) => s.replace(forward, forward.replace('let j = 0; j < lanes; j++', 'let j = lanes - 1; j >= 0; j--'))));
    const divergence = firstDivergence(loaded, 9, 120);
    expect(divergence?.field).toBe('capability_gap');
    expect(describeDivergence(divergence!)).toMatch(/^path \d+, world [\w-]+ on day \d+, capability_gap: kernel .* \(0x[0-9a-f]{16}\), reference .* \(0x[0-9a-f]{16}\)$/);
  });
});
