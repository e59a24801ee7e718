/**
 * The injunction exhibit's study (src/study/restore.ts): its baseline is the run under the facts at
 * filing (revocation.ongoing_after_days), each restore date the run with the duration fixed at its
 * day, all on the same paths; and its dates follow the exhibit block.
 */
import { describe, expect, it } from 'vitest';
import { loadDoc, simulate, uncertainDoc } from '../helpers.js';
import { restorePlan, runRestoreStudy } from '../../src/study/restore.js';
import { restoreJson } from '../../src/analysis/restore.js';

const exhibit = { revocation_date: '2026-06-12', as_of: '2026-07-01', hearing_date: '2026-07-15' };
const PATHS = 300;
const SEED = 5;

describe('the injunction study', () => {
  it('places the restore dates on the calendar: the day after filing, the hearing, 1, 3 and 6 months after it, and a year later', async () => {
    const doc = uncertainDoc();
    doc.exhibit = exhibit;
    const plan = restorePlan(await loadDoc(doc));
    // start_day 10 is June 12: July 1 is 19 days on, so access had been out 19 days at filing.
    expect(plan.ongoing).toBe(19);
    expect(plan.points.map((p) => p.date)).toEqual(['2026-07-02', '2026-07-15', '2026-08-15', '2026-10-15', '2027-01-15', '2027-07-15']);
    expect(plan.points.map((p) => p.duration)).toEqual([20, 33, 64, 125, 217, 398]);
    expect(plan.points[0].label).toMatch(/day after the facts at filing/);
    expect(plan.points.at(-1)!.label).toMatch(/a year after the hearing/);
    // Without a calendar: days after the start.
    expect(restorePlan(await loadDoc(uncertainDoc())).points.map((p) => p.duration)).toEqual([30, 60, 90, 180, 365]);
  });

  it('gives the harm a run conditioned on the facts at filing gives, and for each date the harm of a run with that duration, on the same paths', async () => {
    const doc = uncertainDoc();
    doc.exhibit = exhibit;
    // Two of the compared policies only: each as in a run of them all.
    const r = restoreJson((await runRestoreStudy(await loadDoc(doc), { paths: PATHS, seed: SEED, threads: 1 }, ['location', 'what-happened']))!);
    expect(Object.keys(r.policies)).toEqual(['what-happened', 'location']);
    const conditioned = uncertainDoc();
    conditioned.revocation.ongoing_after_days = 19;
    const base = await simulate(await loadDoc(conditioned), { paths: PATHS, seed: SEED });
    const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
    for (const policy of ['what-happened', 'location']) {
      const p = r.policies[policy];
      expect(p.baseline.harm.mean).toBeCloseTo(mean(base.values(policy, 'total_harm')), 6);
      const hearing = p.restore.find((row) => row.date === '2026-07-15')!;
      const fixed = uncertainDoc();
      fixed.revocation.duration_days = hearing.duration;
      const run = await simulate(await loadDoc(fixed), { paths: PATHS, seed: SEED });
      expect(hearing.harm.mean).toBeCloseTo(mean(run.values(policy, 'total_harm')), 6);
      // Harm avoided is the baseline less the world restored, path by path; the year's delay the ruling less the hearing.
      expect(hearing.avoided.mean).toBeCloseTo(p.baseline.harm.mean - hearing.harm.mean, 6);
      const ruling = p.restore.find((row) => row.date === '2027-07-15')!;
      expect(p.year_later!.cost.mean).toBeCloseTo(ruling.harm.mean - hearing.harm.mean, 6);
      // An outage cut short avoids harm; restoring sooner avoids more, on these paths.
      expect(hearing.avoided.mean).toBeGreaterThan(0);
      expect(p.restore[0].avoided.mean).toBeGreaterThan(hearing.avoided.mean);
    }
  });
});
