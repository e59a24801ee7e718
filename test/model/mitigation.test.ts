/**
 * Mitigation (MODEL.md section 4b), hand-checked on one deterministic path: which remedy helps
 * under each rule, the shares, the decision, the groups' restored days, the costs.
 *
 * Staff: us (4, US in the US), ca (6, Canadian in Canada), cn (2, Chinese in China; of concern).
 * Revocation from day 5 for 100 days; the firm decides on day 15; moved staff work from the US
 * from day 35, new hires from day 45.
 */
import { describe, expect, it } from 'vitest';
import { discountFactors, simulatePath } from '../../src/model/path.js';
import { baseScenario, loadDoc, simulate } from '../helpers.js';

function doc() {
  const d = baseScenario();
  d.simulation.horizon_days = 200;
  d.simulation.tail_days = 100;
  d.revocation = { start_day: 5, duration_days: 100 };
  d.firm.cash = 1e8;
  d.mitigation = {
    decide_after_days: 10,
    relocation: { share: 0.7, delay_days: 20, cost_per_head: 1_000 },
    hiring: { share: 0.5, delay_days: 30, cost_per_head: 2_000, premium_annual: 3_650 },
  };
  d.policies = {
    shutoff: { restrict: { everyone: true } },
    nationality: { restrict: { nationality_not_in: ['US'] } },
    location: { restrict: { location_not_in: ['US'] } },
    'location-unmitigated': { restrict: { location_not_in: ['US'] }, mitigate: false },
  };
  return d;
}

async function path(d: Record<string, any>) {
  const r = simulatePath(await loadDoc(d), 1, 0);
  const world = (name: string) => r.worlds.find((w) => w.layout.policy.name === name)!;
  const metric = (name: string, m: string) => world(name).values[r.metrics.indexOf(m as never)];
  return { r, world, metric };
}

describe('mitigation', () => {
  it('under a provider-wide shutoff nothing helps: the firm does not act', async () => {
    const { metric } = await path(doc());
    expect([metric('shutoff', 'mitigated'), metric('shutoff', 'relocated_heads'), metric('shutoff', 'displaced_heads'), metric('shutoff', 'mitigation_cost')]).toEqual([0, 0, 0, 0]);
  });

  it('under a nationality rule only hiring helps: half of ca and cn are replaced, nobody moves', async () => {
    const { metric, world } = await path(doc());
    expect(metric('nationality', 'mitigated')).toBe(1);
    expect(metric('nationality', 'relocated_heads')).toBe(0);
    expect(metric('nationality', 'displaced_heads')).toBeCloseTo(0.5 * 8, 12);
    // Access-days: the stay half revoked for 100 days, the hired half until day 45 (40 days).
    expect(metric('nationality', 'targeted_access_days')).toBeCloseTo(2 * (0.5 * 100 + 0.5 * 40), 9);
    expect(metric('nationality', 'collateral_access_days')).toBeCloseTo(6 * (0.5 * 100 + 0.5 * 40), 9);
    const cost = world('nationality').trace.mitigationCost;
    expect(cost[15]).toBeCloseTo(8 * 0.5 * 2_000, 9);
    expect(cost[44]).toBe(0);
    expect(cost[45]).toBeCloseTo(8 * 0.5 * 10, 9);
  });

  it('under a location rule both help, relocation first and hiring capped at 1 - a', async () => {
    const { metric, world } = await path(doc());
    expect(metric('location', 'relocated_heads')).toBeCloseTo(0.7 * 8, 12);
    expect(metric('location', 'displaced_heads')).toBeCloseTo(0.3 * 8, 12);
    // Access-days fall by exactly the groups' restored days: moved staff back on day 35, hires on 45.
    expect(metric('location', 'targeted_access_days')).toBeCloseTo(2 * (0.7 * 30 + 0.3 * 40), 9);
    expect(metric('location', 'collateral_access_days')).toBeCloseTo(6 * (0.7 * 30 + 0.3 * 40), 9);
    const { cost, mitigationCost } = world('location').trace;
    expect(mitigationCost[15]).toBeCloseTo(8 * (0.7 * 1_000 + 0.3 * 2_000), 9);
    // Moved and hired staff pay their share of switching back when they regain access.
    expect(cost[5]).toBeCloseTo((8 / 12) * 30_000, 9);
    expect(cost[35]).toBeCloseTo(0.7 * (8 / 12) * 10_000, 9);
    expect(cost[45] - mitigationCost[45]).toBeCloseTo(0.3 * (8 / 12) * 10_000, 9);
    // The premium continues through the tail: a cost of mitigation (v3), inside harm_costs and the mitigation cost.
    const m = world('location');
    expect(m.trace.tailPremiumPv).toBeGreaterThan(0);
    const df = discountFactors((await loadDoc(doc())).scenario);
    let paid = 0;
    for (let t = 0; t < 200; t++) paid += df[t] * m.trace.alive[t] * m.trace.cost[t];
    expect(metric('location', 'harm_costs')).toBeCloseTo(paid + m.trace.tailPremiumPv, 6);
    expect(metric('location', 'mitigation_cost')).toBeGreaterThan(m.trace.tailPremiumPv);
  });

  it('cancels hires and moves that would start only after access has returned: one-off costs paid, no premium, nobody displaced or moved (v3)', async () => {
    const d = doc();
    d.revocation.duration_days = 30; // access returns on day 35: the moves (35) and hires (45) come too late
    const { metric, world } = await path(d);
    expect(metric('location', 'mitigated')).toBe(1);
    expect([metric('location', 'relocated_heads'), metric('location', 'displaced_heads')]).toEqual([0, 0]);
    const tr = world('location').trace;
    expect(tr.mitigationCost[15]).toBeCloseTo(8 * (0.7 * 1_000 + 0.3 * 2_000), 9);
    expect(tr.mitigationCost.slice(16).every((c) => c === 0)).toBe(true);
    expect(tr.tailPremiumPv).toBe(0);
    // The groups stay as their segment: access-days as in the world that does not mitigate.
    expect(metric('location', 'targeted_access_days')).toBe(metric('location-unmitigated', 'targeted_access_days'));
  });

  it('keeps the hiring premium out of pi: raising the permanent share never lowers harm_costs (v3)', async () => {
    const costs = [];
    for (const pi of [0, 0.5, 1]) {
      const d = doc();
      d.market.permanent_share = pi;
      costs.push((await path(d)).metric('location', 'harm_costs'));
    }
    expect(costs[1]).toBe(costs[0]);
    expect(costs[2]).toBe(costs[0]);
  });

  it('mitigate: false gives exactly the world of a scenario without mitigation', async () => {
    const withBlock = await simulate(await loadDoc(doc()));
    const without = doc();
    delete without.mitigation;
    const plain = await simulate(await loadDoc(without));
    for (const m of plain.result.plan.metrics) expect(Array.from(withBlock.values('location-unmitigated', m)), m).toEqual(Array.from(plain.values('location-unmitigated', m)));
    // ... and the mitigating world differs.
    expect(withBlock.values('location', 'total_harm')[0]).not.toBe(plain.values('location', 'total_harm')[0]);
  });

  it('a decision after access returns, or on or after the horizon, means no action and the world without mitigation', async () => {
    for (const decide of [100, 195, 300]) {
      const d = doc();
      d.mitigation.decide_after_days = decide; // td = 105 (restored that day), 200 (= T), 305
      const { metric, r } = await path(d);
      expect(metric('location', 'mitigated'), `decide after ${decide}`).toBe(0);
      for (const m of r.metrics.filter((k) => !['mitigated', 'relocated_heads', 'displaced_heads', 'mitigation_cost'].includes(k))) {
        expect(metric('location', m), `${m}, decide after ${decide}`).toBe(metric('location-unmitigated', m));
      }
    }
  });

  it('a phased policy is judged against the phase in force on the decision day', async () => {
    const phased = (firstDays: number) => {
      const d = doc();
      d.policies = { phased: { phases: [{ restrict: { everyone: true }, days: firstDays }, { restrict: { location_not_in: ['US'] } }] } };
      return d;
    };
    // Everyone cut off until day 25: on day 15 nothing helps.
    const early = await path(phased(20));
    expect(early.metric('phased', 'mitigated')).toBe(0);
    // Everyone cut off until day 10 only: on day 15 the location rule is in force, both help.
    const late = await path(phased(5));
    expect(late.metric('phased', 'relocated_heads')).toBeCloseTo(5.6, 12);
    expect(late.metric('phased', 'displaced_heads')).toBeCloseTo(2.4, 12);
    // us (4) is cut off in phase 1 only (days 5-9); ca and cn as in the location world.
    expect(late.metric('phased', 'collateral_access_days')).toBeCloseTo(4 * 5 + 6 * (0.7 * 30 + 0.3 * 40), 9);
  });

  it('moved staff under a later nationality phase are cut off again: they are revoked as they are that day', async () => {
    const d = doc();
    d.policies = { 'location-then-nationality': { phases: [{ restrict: { location_not_in: ['US'] }, days: 40 }, { restrict: { nationality_not_in: ['US'] } }] } };
    const { world } = await path(d);
    const w = world('location-then-nationality');
    // Moved on day 35 (restored), cut off again from day 45 when the nationality rule starts; the
    // hires (US persons from day 45) are not. So phi rises again on day 45 by the moved share.
    const phi = (t: number) => w.trace.cost[t] - w.trace.mitigationCost[t];
    expect(phi(35)).toBeCloseTo(0.7 * (8 / 12) * 10_000, 9);
    // On day 45 the moved group is cut off again (+0.7 8/12 switch_cost) and the hires get access
    // (-0.3 8/12, switch back): k = switch_cost x rise (phi only rises if the net change is up).
    const net = 0.7 - 0.3;
    expect(phi(45)).toBeCloseTo(net * (8 / 12) * 30_000, 9);
  });
});

describe('a scenario without mitigation', () => {
  it('gives the same worlds as the same scenario with a mitigation block where no world mitigates (scenarios/legion-canada.yaml)', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseScenario } = await import('../../src/scenario/load.js');
    const text = readFileSync('scenarios/legion-canada.yaml', 'utf8');
    const withBlock = await simulate(await parseScenario(text, 'legion-canada.yaml'), { paths: 150 });
    const without = await simulate(await parseScenario(text.replace(/^mitigation:[\s\S]*?(?=^(correlations|countries_of_concern):)/m, ''), 'legion-canada.yaml'), { paths: 150 });
    expect(without.result.plan.withMitigation).toBe(false);
    for (const m of without.result.plan.metrics) {
      expect(Array.from(withBlock.values('blanket-no-mitigation', m)), m).toEqual(Array.from(without.values('blanket-no-mitigation', m)));
      // Worlds where nothing helps (the shutoff) do not change either.
      expect(Array.from(withBlock.values('shutoff', m)), m).toEqual(Array.from(without.values('shutoff', m)));
    }
  });
});
