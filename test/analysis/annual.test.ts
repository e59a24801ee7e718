/**
 * P&L and cash by year (src/analysis/annual.ts): the reference day loop on the run's paths with the
 * run's mitigation choices, so its years add up to the run's own metrics.
 */
import { describe, expect, it } from 'vitest';
import { loadDoc, simulate, uncertainDoc } from '../helpers.js';
import { chosenOptions, pnlByYear, PNL_FIELDS } from '../../src/analysis/annual.js';

const PATHS = 300;
const SEED = 11;

describe('P&L and cash by year', () => {
  it('adds up, year by year, to the run: lost revenue, profit, and the share solvent at the horizon', async () => {
    const doc = uncertainDoc();
    // Over a year and a half, so the second year is a short one; the firm decides on its remedy.
    doc.simulation.horizon_days = 500;
    doc.mitigation.decision = 'expected';
    const loaded = await loadDoc(doc);
    const { summary, values } = await simulate(loaded, { paths: PATHS, seed: SEED });
    const policies = ['what-happened', 'location', 'blanket-unmitigated'];
    const choices = chosenOptions(summary);
    expect(Object.keys(choices)).toEqual(expect.arrayContaining(['what-happened', 'location']));
    const pnl = pnlByYear(loaded, { seed: SEED, paths: PATHS }, policies, choices);
    expect(Object.keys(pnl.worlds)).toEqual(['butfor', ...policies]);
    const butfor = pnl.worlds.butfor;
    expect(butfor.map((y) => [y.year, y.first_day, y.last_day])).toEqual([[1, 0, 364], [2, 365, 499]]);
    const sum = (world: string, field: (typeof PNL_FIELDS)[number]) => pnl.worlds[world].reduce((a, y) => a + y.fields[field].mean, 0);
    const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
    for (const p of policies) {
      // Paired on the same paths: the years' revenue and profit against the but-for world are the run's lost revenue and profit.
      expect(sum('butfor', 'revenue') - sum(p, 'revenue')).toBeCloseTo(mean(values(p, 'lost_revenue')), 4);
      expect(sum('butfor', 'operating_profit') - sum(p, 'operating_profit')).toBeCloseTo(mean(values(p, 'lost_profit')), 4);
      // Operating profit is gross profit less operating, switching and mitigation costs.
      for (const y of pnl.worlds[p]) expect(y.fields.operating_profit.mean).toBeCloseTo(y.fields.gross_profit.mean - y.fields.operating_costs.mean - y.fields.switching_and_mitigation_costs.mean, 4);
      expect(pnl.worlds[p].at(-1)!.fields.solvent_at_year_end.mean).toBeCloseTo(1 - mean(values(p, 'insolvent')), 12);
      for (const y of pnl.worlds[p]) for (const f of PNL_FIELDS) expect(y.fields[f].p05).toBeLessThanOrEqual(y.fields[f].p95);
    }
    expect(butfor.at(-1)!.fields.solvent_at_year_end.mean).toBeCloseTo(1 - summary.butfor.insolvency_probability, 12);
    // The remedy the run chose shows as its costs: a world that does not mitigate has none beyond switching.
    expect(sum('what-happened', 'switching_and_mitigation_costs')).toBeGreaterThan(0);
  });
});
