/**
 * The format (scenario/spec.ts) states the facts about its keys, and the validated Scenario type
 * follows it: every field of the format is a property of the Scenario of the same name, each
 * *(dist)* field an InputRef whose input carries that key path.
 */
import { describe, expect, it } from 'vitest';
import { FORMAT, isInputKey, keyFacts, NOTED_SETTINGS, type Node } from '../../src/scenario/spec.js';
import { isWorldLevel } from '../../src/study/run.js';
import { uncertainScenario } from '../helpers.js';

/** Sections the Scenario holds in another shape: the basis map becomes notes, correlations get their copula, compare its default. */
const RESHAPED = new Set(['$schema', 'basis', 'correlations', 'compare']);

describe('the format and the Scenario type', () => {
  it('have the same keys: every field of the format is a property of the Scenario, every input carries its key path', async () => {
    const loaded = await uncertainScenario();
    const s = loaded.scenario as unknown as Record<string, unknown>;
    let checked = 0;
    const walk = (node: Node, value: unknown, path: string) => {
      if (node.kind === 'object') {
        expect(typeof value, path).toBe('object');
        for (const [name, field] of Object.entries(node.fields)) {
          const key = path ? `${path}.${name}` : name;
          if (!path && RESHAPED.has(name)) continue;
          const v = (value as Record<string, unknown>)[name];
          if (v === undefined) {
            // Only an optional key without a default may be missing (defaults are filled in).
            expect(field.required, `${key} is required but the Scenario has no ${name}`).not.toBe(true);
            expect(field.default, `${key} has a default the Scenario does not fill in`).toBeUndefined();
            continue;
          }
          walk(field.node, v, key);
        }
      } else if (node.kind === 'list') {
        (value as unknown[]).forEach((item, i) => walk(node.item, item, `${path}[${i}]`));
      } else if (node.kind === 'map') {
        // policies: a list of named policies in the Scenario.
        for (const p of value as { name: string }[]) walk(node.value, p, `${path}.${p.name}`);
      } else if (node.kind === 'dist') {
        expect(typeof value, path).toBe('number');
        expect(loaded.scenario.inputs[value as number].key, path).toBe(path);
        checked++;
      } else {
        expect(typeof value, path).toBe(node.kind === 'number' ? 'number' : node.kind === 'boolean' ? 'boolean' : 'string');
        checked++;
      }
    };
    walk(FORMAT, { ...s, policies: (s.policies as { name: string; phases: unknown[]; restrict?: unknown }[]).map((p) => (p.phases.length > 1 ? { ...p, restrict: undefined } : { ...p, phases: undefined })) }, '');
    expect(checked).toBeGreaterThan(60);
  });

  it('state the key facts once: world-level keys, settings, noted settings, slot groups', async () => {
    const loaded = await uncertainScenario();
    const byKey = (k: string) => loaded.scenario.inputs.find((d) => d.key === k)!;
    for (const k of ['revocation.duration_days', 'policies.licence.license.processing_days', 'policies.what-happened.phases[0].days', 'mitigation.hiring.delay_days']) expect(isWorldLevel(loaded, byKey(k)), k).toBe(true);
    for (const k of ['firm.cash', 'staff[1].ai_dependence', 'firm.financing.round_size']) expect(isWorldLevel(loaded, byKey(k)), k).toBe(false);
    expect(isInputKey('firm.cash')).toBe(true);
    for (const k of ['simulation.seed', 'revocation.start_day', 'staff[0].headcount', 'policies.x.restrict', 'name']) expect(isInputKey(k), k).toBe(false);
    expect(NOTED_SETTINGS).toEqual(['simulation.paths', 'simulation.horizon_days', 'simulation.discount_rate', 'simulation.tail_days', 'revocation.start_day', 'revocation.ongoing_after_days', 'countries_of_concern']);
    expect(keyFacts('policies.a.phases[2].days').facts.slotGroup).toBe(5);
    expect(keyFacts('firm.financing.retry_days').facts.slotGroup).toBe(1);
    expect(keyFacts('no.such.key').field).toBeUndefined();
  });
});
