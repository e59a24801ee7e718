import { describe, expect, it } from 'vitest';
import { MONEY_METRICS } from '../../src/model/metrics.js';
import { baseScenario, loadDoc, relErr, simulate } from '../helpers.js';

const TOL = 1e-9;

describe('hand-computed deterministic cases', () => {
  it('with no capability loss and no product dependence, harm is the discounted switching costs, scaled by the share of staff cut off', async () => {
    const doc = baseScenario();
    doc.productivity.capability_elasticity = 0;
    doc.product.model_dependence = 0;
    const { summary } = await simulate(await loadDoc(doc));
    const r = doc.simulation.discount_rate;
    const df = (t: number) => (1 + r) ** (-t / 365);
    const [t0, D] = [doc.revocation.start_day, doc.revocation.duration_days];
    const m = summary.policies.blanket.metrics;
    expect(m.lost_revenue.mean).toBe(0);
    // blanket cuts off ca (6) and cn (2) of 12 heads: phi = 2/3 from t0 to t0 + D.
    const phi = 8 / 12;
    expect(relErr(m.lost_profit.mean, phi * (30_000 + 10_000))).toBeLessThanOrEqual(TOL);
    expect(relErr(m.pv_lost_profit.mean, phi * 30_000 * df(t0) + phi * 10_000 * df(t0 + D))).toBeLessThanOrEqual(TOL);
    expect(relErr(m.harm_costs.mean, m.pv_lost_profit.mean)).toBeLessThanOrEqual(TOL);
    // The shutoff reaches the product too: phi = 1.
    expect(relErr(summary.policies.shutoff.metrics.lost_profit.mean, 30_000 + 10_000)).toBeLessThanOrEqual(TOL);
    expect(m.pv_terminal_loss.mean).toBe(0);
    expect(m.after_restoration_share.mean).toBe(0);
    expect(m.targeted_access_days.mean).toBe(2 * D);
    expect(m.collateral_access_days.mean).toBe(6 * D);
  });

  it('with instant product and market dynamics, lost revenue follows the closed form S(t) = Y(t-2)/Ybf', async () => {
    // tauK = 1 gives K(t+1) = Y(t)/Ybf; mu = 0, eps = 1, tau_loss = tau_win = 1 give S(t+1) = K(t);
    // alpha = gamma = 0 give a constant gap G = L/H0 while revoked, decaying by exp(-1/tau_r) after.
    const doc = baseScenario();
    Object.assign(doc.product, { obsolescence_days: 1, model_dependence: 0 });
    Object.assign(doc.market, { quality_elasticity: 1, loss_days: 1, winback_days: 1 });
    Object.assign(doc.frontier, { acceleration: 0 });
    Object.assign(doc.fallback, { lag_growth: 0 });
    doc.firm.cash = 1e9;
    const { summary } = await simulate(await loadDoc(doc));
    const T = doc.simulation.horizon_days;
    const [t0, D] = [doc.revocation.start_day, doc.revocation.duration_days];
    const G = doc.fallback.lag_months / doc.frontier.doubling_months;
    const tauR = doc.adaptation.base_days + doc.adaptation.per_revoked_day * D;
    const gap = (t: number) => (t < t0 ? 0 : t < t0 + D ? G : G * Math.exp(-(t - (t0 + D) + 1) / tauR));
    // blanket affects ca (6 heads, d 0.5) and cn (2 heads, d 0.4); all weights 1; Ybf = 12.
    const cA = (6 * 0.5 + 2 * 0.4) / 12;
    const yRel = (t: number) => 1 - cA * (1 - 2 ** (-doc.productivity.capability_elasticity * gap(t)));
    const share = (t: number) => (t < 2 ? 1 : yRel(t - 2));
    const rbf = (t: number) => (doc.firm.revenue_annual / 365) * (1 + doc.firm.revenue_growth) ** (t / 365);
    let lost = 0;
    let after = 0;
    for (let t = 0; t < T; t++) {
      lost += rbf(t) * (1 - share(t));
      if (t >= t0 + D) after += rbf(t) * (1 - share(t));
    }
    const m = summary.policies.blanket.metrics;
    expect(relErr(m.lost_revenue.mean, lost)).toBeLessThanOrEqual(TOL);
    expect(relErr(m.after_restoration_share.mean, after / lost)).toBeLessThanOrEqual(TOL);
    expect(relErr(m.lost_profit.mean, doc.firm.gross_margin * lost + (8 / 12) * 40_000)).toBeLessThanOrEqual(TOL);
  });
});

/** A stochastic version of the base scenario, for path-by-path invariants. */
function stochastic(duration: unknown = { dist: 'uniform', min: 10, max: 100 }) {
  const doc = baseScenario();
  doc.simulation.paths = 200;
  doc.firm.revenue_growth = { dist: 'normal', mean: 0.3, sd: 0.2, min: -0.5 };
  doc.firm.cash = { dist: 'uniform', min: 50_000, max: 600_000 };
  doc.staff[1].ai_dependence = { dist: 'pert', min: 0.2, mode: 0.5, max: 0.9 };
  doc.frontier.doubling_months = { dist: 'lognormal', median: 5, p90: 8 };
  doc.productivity.capability_elasticity = { dist: 'pert', min: 0.2, mode: 1, max: 3 };
  doc.market.quality_elasticity = { dist: 'triangular', min: 0.5, mode: 1.5, max: 3 };
  doc.adaptation.switch_back_cost = 0;
  doc.revocation.duration_days = duration;
  return doc;
}

describe('invariants', () => {
  it('a zero-day revocation does no harm and denies no access', async () => {
    const { summary } = await simulate(await loadDoc(stochastic(0)));
    for (const p of Object.values(summary.policies)) {
      for (const m of [...MONEY_METRICS.filter((k) => k in p.metrics), 'revoked_days', 'targeted_access_days', 'collateral_access_days', 'attributable_insolvency'] as const) expect(p.metrics[m].max).toBe(0);
      expect(p.metrics.insolvent.mean).toBe(summary.butfor.insolvency_probability);
    }
  });

  it('a policy that reaches no staff and not the product does no harm', async () => {
    const { summary } = await simulate(await loadDoc(stochastic()));
    const m = summary.policies.nobody.metrics;
    for (const k of MONEY_METRICS.filter((x) => x in m)) expect([m[k].min, m[k].max]).toEqual([0, 0]);
    expect(m.revoked_days.max).toBe(0);
  });

  it('on the same seed, lost revenue never falls when the revocation lasts longer, path by path', async () => {
    const short = await simulate(await loadDoc(stochastic({ dist: 'uniform', min: 10, max: 100 })));
    const long = await simulate(await loadDoc(stochastic({ dist: 'uniform', min: 40, max: 130 })));
    for (const policy of ['shutoff', 'blanket', 'concern']) {
      const [a, b] = [short.values(policy, 'lost_revenue'), long.values(policy, 'lost_revenue')];
      const [d1, d2] = [short.values(policy, 'revoked_days'), long.values(policy, 'revoked_days')];
      for (let i = 0; i < a.length; i++) {
        expect(d2[i]).toBe(d1[i] + 30);
        expect(b[i], `${policy} path ${i}`).toBeGreaterThanOrEqual(a[i] - 1e-9 * Math.abs(a[i]));
      }
    }
  });

  it('on the same seed, total harm never falls when the revocation lasts longer, path by path, for a firm that stays solvent', async () => {
    // (Insolvency ends a loss-making firm's operating losses, so on paths that end insolvent a
    // longer outage can bring that end forward and lower lost profit; see docs/model.md.)
    const solvent = (d: unknown) => {
      const doc = stochastic(d);
      doc.firm.cash = 1e8;
      return doc;
    };
    const short = await simulate(await loadDoc(solvent({ dist: 'uniform', min: 10, max: 100 })));
    const long = await simulate(await loadDoc(solvent({ dist: 'uniform', min: 40, max: 130 })));
    for (const policy of ['shutoff', 'blanket', 'concern']) {
      const [a, b] = [short.values(policy, 'total_harm'), long.values(policy, 'total_harm')];
      expect(Math.max(...long.values(policy, 'insolvent'))).toBe(0);
      for (let i = 0; i < a.length; i++) expect(b[i], `${policy} path ${i}`).toBeGreaterThanOrEqual(a[i] - 1e-9 * Math.abs(a[i]));
    }
  });

  it('multiplying every money input by 10 multiplies every money metric by 10 (mitigation included)', async () => {
    const doc = stochastic();
    doc.firm.financing = { raise_below: 100_000, round_size: { dist: 'uniform', min: 200_000, max: 400_000 }, success_probability: 0.5, quality_sensitivity: 2, retry_days: 30, max_rounds: 2 };
    doc.policies.location = { restrict: { location_not_in: ['US'] } };
    doc.mitigation = {
      decide_after_days: { dist: 'uniform', min: 0, max: 40 },
      relocation: { share: 0.3, delay_days: 20, cost_per_head: { dist: 'uniform', min: 5_000, max: 15_000 } },
      hiring: { share: 0.4, delay_days: 30, cost_per_head: 20_000, premium_annual: 12_000 },
      decision: 'always', // the remedies' mechanics; the expected decision scales too (its W does)
    };
    const scaled = structuredClone(doc);
    const f = scaled.firm;
    f.revenue_annual *= 10;
    f.operating_costs_annual *= 10;
    f.cash = { dist: 'uniform', min: 500_000, max: 6_000_000 };
    f.credit_line *= 10;
    f.financing.raise_below *= 10;
    f.financing.round_size = { dist: 'uniform', min: 2_000_000, max: 4_000_000 };
    scaled.adaptation.switch_cost *= 10;
    scaled.mitigation.relocation.cost_per_head = { dist: 'uniform', min: 50_000, max: 150_000 };
    scaled.mitigation.hiring.cost_per_head *= 10;
    scaled.mitigation.hiring.premium_annual *= 10;
    const a = await simulate(await loadDoc(doc));
    const b = await simulate(await loadDoc(scaled));
    expect(Math.max(...a.values('location', 'mitigated'))).toBe(1);
    for (const policy of ['shutoff', 'blanket', 'concern', 'location']) {
      for (const m of MONEY_METRICS.filter((x) => a.result.plan.metrics.includes(x))) {
        const x = a.values(policy, m);
        const y = b.values(policy, m);
        for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - 10 * x[i]), `${policy}.${m}[${i}]`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(10 * x[i])));
      }
      for (const m of ['insolvent', 'revoked_days', 'mitigated', 'relocated_heads', 'displaced_heads'] as const) expect(b.values(policy, m)).toEqual(a.values(policy, m));
      const [x, y] = [a.values(policy, 'after_restoration_share'), b.values(policy, 'after_restoration_share')];
      for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(1e-9);
    }
  });

  it('policies are compared on the same paths: a broader rule never does less harm than a narrower one on any path', async () => {
    const { values } = await simulate(await loadDoc(stochastic()));
    const [shutoff, blanket, concern] = ['shutoff', 'blanket', 'concern'].map((p) => values(p, 'lost_revenue'));
    for (let i = 0; i < shutoff.length; i++) {
      expect(shutoff[i]).toBeGreaterThanOrEqual(blanket[i] - 1e-6);
      expect(blanket[i]).toBeGreaterThanOrEqual(concern[i] - 1e-6);
    }
  });
});
