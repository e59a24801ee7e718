/**
 * Property tests (fast-check, fixed seeds, so they never flake): random valid scenarios run
 * without throwing and give finite metrics, shares and survival in [0, 1], and no harm when
 * nothing is revoked; random bytes and mutated YAML only ever fail as validation errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/problems.js';
import { MONEY_METRICS, METRICS } from '../../src/model/metrics.js';
import { seriesRows } from '../../src/analysis/run.js';
import { baseScenario, loadDoc, simulate, toYaml } from '../helpers.js';

const SEED = 20261122;
const dist = (lo: number, hi: number) =>
  fc.oneof(
    fc.double({ min: lo, max: hi, noNaN: true }),
    fc.tuple(fc.double({ min: lo, max: hi, noNaN: true }), fc.double({ min: lo, max: hi, noNaN: true })).map(([a, b]) => (a === b ? a : { dist: 'uniform', min: Math.min(a, b), max: Math.max(a, b) })),
    fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([u, v]) => {
      const [a, b] = [lo + (hi - lo) * Math.min(u, v) * 0.5, lo + (hi - lo) * (0.5 + 0.5 * Math.max(u, v))];
      return { dist: 'pert', min: a, mode: (a + b) / 2, max: b === a ? a + 1e-6 * (hi - lo) : b };
    }),
  );

/** A random valid scenario: random point values and distributions within each key's range. */
const scenarioArb = fc
  .record({
    growth: dist(-0.5, 2),
    margin: dist(0, 1),
    cash: dist(-1e5, 5e6),
    costs: dist(0, 5e6),
    dependence: dist(0, 1),
    doubling: dist(1, 24),
    accel: dist(0, 1),
    lag: dist(0, 24),
    lagGrowth: dist(0, 1),
    kappa: dist(0, 5),
    base: dist(1, 200),
    tauK: dist(1, 400),
    mu: dist(0, 1),
    eps: dist(0, 4),
    loss: dist(1, 300),
    win: dist(1, 900),
    duration: dist(0, 400),
    start: fc.integer({ min: 0, max: 60 }),
    horizon: fc.integer({ min: 1, max: 150 }),
    financing: fc.boolean(),
  })
  .map((r) => {
    const doc = baseScenario();
    doc.simulation = { paths: 24, seed: 3, horizon_days: r.horizon, discount_rate: 0.1, series_step_days: 7 };
    Object.assign(doc.firm, { revenue_growth: r.growth, gross_margin: r.margin, cash: r.cash, operating_costs_annual: r.costs });
    if (r.financing) doc.firm.financing = { raise_below: 200_000, round_size: 500_000, success_probability: 0.5, quality_sensitivity: 2, retry_days: 15, max_rounds: 3 };
    doc.staff[1].ai_dependence = r.dependence;
    Object.assign(doc.frontier, { doubling_months: r.doubling, acceleration: r.accel });
    Object.assign(doc.fallback, { lag_months: r.lag, lag_growth: r.lagGrowth });
    doc.productivity.capability_elasticity = r.kappa;
    doc.adaptation.base_days = r.base;
    Object.assign(doc.product, { obsolescence_days: r.tauK, model_dependence: r.mu });
    Object.assign(doc.market, { quality_elasticity: r.eps, loss_days: r.loss, winback_days: r.win });
    Object.assign(doc.revocation, { start_day: r.start, duration_days: r.duration });
    doc.policies.licence = { restrict: { nationality_not_in: ['US'] }, license: { approval_probability: 0.5, processing_days: { dist: 'uniform', min: 0, max: 60 } } };
    return doc;
  });

describe('random valid scenarios', () => {
  it('run without throwing, with finite metrics and shares, survival and quality in [0, 1]', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (doc) => {
        const { summary, result } = await simulate(await loadDoc(doc));
        for (const p of Object.values(summary.policies)) {
          for (const m of METRICS) for (const v of Object.values(p.metrics[m]).flat()) if (v !== null) expect(Number.isFinite(v), m).toBe(true);
          for (const m of ['after_restoration_share', 'insolvent', 'attributable_insolvency'] as const) {
            expect(p.metrics[m].min).toBeGreaterThanOrEqual(0);
            expect(p.metrics[m].max).toBeLessThanOrEqual(1);
          }
          expect(p.metrics.attributable_insolvency.mean).toBeLessThanOrEqual(p.metrics.insolvent.mean);
        }
        for (const row of seriesRows(result)) {
          if (row.variable === 'survival' || row.variable === 'quality' || row.variable === 'share') {
            for (const v of [row.mean, row.p05, row.p50, row.p95]) {
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(1 + 1e-12);
            }
          }
          for (const v of [row.mean, row.p05, row.p95]) expect(Number.isFinite(v)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('do no harm when nothing is revoked (zero duration), whatever else they say', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (doc) => {
        doc.revocation.duration_days = 0;
        const { summary } = await simulate(await loadDoc(doc));
        for (const p of Object.values(summary.policies)) {
          for (const m of MONEY_METRICS.filter((k) => k in p.metrics)) expect([p.metrics[m].min, p.metrics[m].max]).toEqual([0, 0]);
          expect(p.metrics.insolvent.mean).toBe(summary.butfor.insolvency_probability);
        }
      }),
      { seed: SEED + 1, numRuns: 25 },
    );
  });
});

describe('engine invariants on random scenarios', () => {
  it('multiplying every money input by 10 multiplies every money metric by 10, path by path', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (doc) => {
        const scaled = structuredClone(doc);
        const times10 = (v: any): any => (typeof v === 'number' ? 10 * v : v.dist === 'uniform' ? { ...v, min: 10 * v.min, max: 10 * v.max } : { ...v, min: 10 * v.min, mode: 10 * v.mode, max: 10 * v.max });
        for (const k of ['revenue_annual', 'operating_costs_annual', 'cash', 'credit_line']) scaled.firm[k] = times10(scaled.firm[k]);
        if (scaled.firm.financing) for (const k of ['raise_below', 'round_size']) scaled.firm.financing[k] *= 10;
        for (const k of ['switch_cost', 'switch_back_cost']) scaled.adaptation[k] *= 10;
        const [a, b] = [await simulate(await loadDoc(doc)), await simulate(await loadDoc(scaled))];
        for (const policy of Object.keys(a.summary.policies)) {
          for (const m of MONEY_METRICS.filter((k) => a.result.plan.metrics.includes(k))) {
            const [x, y] = [a.values(policy, m), b.values(policy, m)];
            for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - 10 * x[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(10 * x[i])));
          }
          expect(b.values(policy, 'insolvent')).toEqual(a.values(policy, 'insolvent'));
        }
      }),
      { seed: SEED + 2, numRuns: 20 },
    );
  });

  it('a longer revocation never lowers lost revenue on any path (without financing)', async () => {
    // With financing, a longer outage can bring a funding round forward and so rescue a firm that
    // the shorter outage let fail: a property of the model, not a monotone one.
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.integer({ min: 1, max: 200 }), async (doc, extra) => {
        delete doc.firm.financing;
        doc.revocation.duration_days = { dist: 'uniform', min: 0, max: 300 };
        const longer = structuredClone(doc);
        longer.revocation.duration_days = { dist: 'uniform', min: extra, max: 300 + extra };
        const [a, b] = [await simulate(await loadDoc(doc)), await simulate(await loadDoc(longer))];
        for (const policy of Object.keys(a.summary.policies)) {
          const [x, y] = [a.values(policy, 'lost_revenue'), b.values(policy, 'lost_revenue')];
          for (let i = 0; i < x.length; i++) expect(y[i]).toBeGreaterThanOrEqual(x[i] - 1e-9 * Math.abs(x[i]));
        }
      }),
      { seed: SEED + 3, numRuns: 20 },
    );
  });
});

/** Loads text; anything but success or a ScenarioError is a bug. */
async function loadsOrRefuses(text: string | Uint8Array, file: string): Promise<void> {
  try {
    await parseScenario(Buffer.from(text), file);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) expect(p.expected.length).toBeGreaterThan(0);
  }
}

describe('the loader on hostile input', () => {
  it('fails on random bytes only with validation errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => loadsOrRefuses(bytes, 'random.yaml')),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('fails on random text only with validation errors, as YAML and as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.boolean(), async (text, json) => loadsOrRefuses(text, json ? 'random.json' : 'random.yaml')),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('fails on mutated scenarios (characters deleted, inserted or swapped) only with validation errors', async () => {
    const original = toYaml(baseScenario());
    const mutation = fc.array(fc.tuple(fc.nat(original.length), fc.constantFrom('delete', 'insert', 'swap'), fc.constantFrom(':', '-', ' ', '\n', '[', '{', '"', '&', '*', '!', '#', '0', 'x', '\t')), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(mutation, async (edits) => {
        let text = original;
        for (const [at, kind, ch] of edits) {
          const i = at % Math.max(1, text.length);
          text = kind === 'delete' ? text.slice(0, i) + text.slice(i + 1) : kind === 'insert' ? text.slice(0, i) + ch + text.slice(i) : text.slice(0, i) + ch + text.slice(i + 1);
        }
        await loadsOrRefuses(text, 'mutated.yaml');
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
