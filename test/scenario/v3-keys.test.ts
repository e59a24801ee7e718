/**
 * The keys model v3 adds (docs/model.md sections 2-4c): by on phases, status, mitigation.decision
 * and revocation.ongoing_after_days, each refused with a clear message where it cannot hold, and
 * the known fact conditioning the duration's draws.
 */
import { describe, expect, it } from 'vitest';
import { runCli, baseScenario, loadDoc, tempDir, toYaml } from '../helpers.js';
import { ScenarioError } from '../../src/scenario/problems.js';
import { drawnValues } from '../../src/sampling/draw.js';
import { scenarioWarnings } from '../../src/model/warnings.js';
import { assumptionRows } from '../../src/report/assumptions.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

async function messages(doc: unknown): Promise<string[]> {
  try {
    await loadDoc(doc);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.message.split('\n').slice(1);
  }
}

const phased = (by: (string | undefined)[]) => ({ phases: by.map((b, i) => ({ restrict: { everyone: true }, ...(i < by.length - 1 ? { days: 5 } : {}), ...(b ? { by: b } : {}) })) });

describe('model v3 keys', () => {
  it('refuse by on some phases of a policy but not all, naming the phase without it', async () => {
    const doc = baseScenario();
    doc.policies.p = phased(['provider', undefined]);
    expect((await messages(doc)).join('\n')).toMatch(/policies\.p\.phases\[1\]\.by: expected by on every phase or on none \(1 of 2 phases name a party\), found nothing: the key is missing/);
  });

  it('refuse five parties in one policy (2^5 sub-worlds)', async () => {
    const doc = baseScenario();
    doc.policies.p = phased(['a', 'b', 'c', 'd', 'e']);
    expect((await messages(doc)).join('\n')).toMatch(/policies\.p\.phases: expected at most 4 distinct parties in one policy .*, found 5: a, b, c, d, e/);
  });

  it('refuse an unknown decision and a status not in the list, saying what is allowed', async () => {
    const doc = baseScenario();
    doc.mitigation = { decide_after_days: 5, decision: 'sometimes', hiring: { share: 0.2, delay_days: 10 } };
    doc.policies.blanket.status = 'maybe';
    const text = (await messages(doc)).join('\n');
    expect(text).toMatch(/mitigation\.decision: expected expected or always, found the string "sometimes"/);
    expect(text).toMatch(/policies\.blanket\.status: expected reported, hypothetical or proposed, found the string "maybe"/);
  });

  it('refuse an ongoing_after_days the duration cannot exceed, as a number, a distribution or an expression', async () => {
    const cases: [unknown, RegExp][] = [
      [30, /revocation\.duration_days: expected a duration of more than revocation\.ongoing_after_days \(40\) days, rounded, found 30/],
      [{ dist: 'uniform', min: 10, max: 40 }, /revocation\.duration_days: expected a distribution that can last more than revocation\.ongoing_after_days \(40\) days \(some probability at or above 40\.5\), found none above it/],
      ['2 * firm.cash', /revocation\.duration_days: expected a number or a distribution when revocation\.ongoing_after_days is given .*, found an expression/],
    ];
    for (const [duration, message] of cases) {
      const doc = baseScenario();
      doc.revocation = { start_day: 3, duration_days: duration, ongoing_after_days: 40 };
      expect((await messages(doc)).join('\n')).toMatch(message);
    }
  });

  it('refuse a negative day count, and warn with the share floored when a distribution of days reaches below 0', async () => {
    const doc = baseScenario();
    doc.revocation.duration_days = -60;
    expect((await messages(doc)).join('\n')).toMatch(/revocation\.duration_days: expected a number of days >= 0, found -60/);
    doc.revocation.duration_days = { dist: 'normal', mean: 30, sd: 30 };
    const loaded = await loadDoc(doc);
    const warnings = scenarioWarnings(loaded.scenario).join('\n');
    // P(N(30, 30) < 0) = Phi(-1) = 15.9%.
    expect(warnings).toMatch(/revocation\.duration_days: 15\.9% of its draws fall below 0 days and are floored at 0/);
  });

  it('lists validation errors in file order, and gives a currency code before a number the same advice as a $', async () => {
    const doc = baseScenario();
    doc.mitigation = { decide_after_days: 5, decision: 'sometimes', hiring: { share: 0.2, delay_days: 10 } };
    doc.policies.blanket.status = 'maybe';
    doc.firm.cash = 'PLN 2,000,000';
    const lines = await messages(doc);
    const at = lines.map((l) => Number(/:(\d+):\d+:/.exec(l)?.[1]));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(lines.join('\n')).toMatch(/firm\.cash: expected a plain number, a distribution mapping or an expression, found the string "PLN 2,000,000": units and currency symbols are not allowed; write the number alone \(2000000\)/);
  });

  it('exit 2 on such a file from the command line, naming the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    const doc = baseScenario();
    doc.revocation = { start_day: 3, duration_days: 30, ongoing_after_days: 40 };
    writeFileSync(file, toYaml(doc));
    const r = await runCli(['run', file, '--out', join(dir, 'o')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:`);
    expect(r.err).toContain('revocation.duration_days');
  });

  it('draw the duration conditional on the known fact: never at or below it, each path keeping its place', async () => {
    const doc = baseScenario();
    doc.revocation = { start_day: 3, duration_days: { dist: 'lognormal', median: 60, p90: 200 } };
    const free = await loadDoc(doc);
    doc.revocation.ongoing_after_days = 90;
    const known = await loadDoc(doc);
    const id = known.scenario.revocation.duration_days;
    const [a] = drawnValues(free.scenario, free.expressions, 3, [id], 4000);
    const [b] = drawnValues(known.scenario, known.expressions, 3, [id], 4000);
    expect(Math.min(...b)).toBeGreaterThanOrEqual(91);
    // Inversion of the conditional distribution: a path's rank is kept (a longer free draw never gives a shorter conditional one).
    const order = Array.from(a.keys()).sort((x, y) => a[x] - a[y]);
    let below = -Infinity; // the longest conditional draw of the paths with a shorter free draw
    for (let k = 0, groupMax = -Infinity; k < order.length; k++) {
      if (k > 0 && a[order[k]] > a[order[k - 1]]) [below, groupMax] = [Math.max(below, groupMax), -Infinity];
      expect(b[order[k]]).toBeGreaterThanOrEqual(below);
      groupMax = Math.max(groupMax, b[order[k]]);
    }
    // Paths already above the fact are drawn longer, never shorter.
    for (let k = 0; k < a.length; k++) expect(b[k]).toBeGreaterThanOrEqual(a[k] > 90.5 ? a[k] : 91);
  });

  it("list the known fact and the decision rule in the assumptions table, with the scenario's settings", async () => {
    const doc = baseScenario();
    doc.revocation.ongoing_after_days = 10;
    doc.mitigation = { decide_after_days: 5, hiring: { share: 0.2, delay_days: 10 } };
    const rows = assumptionRows((await loadDoc(doc)).scenario);
    expect(rows.find((r) => r.key === 'revocation.ongoing_after_days')?.value).toMatch(/^access had not returned 10 days after the start/);
    expect(rows.find((r) => r.key === 'mitigation.decision')?.value).toMatch(/^expected/);
  });

  it('keep only the mixture components and discrete values that can exceed the fact', async () => {
    const doc = baseScenario();
    doc.revocation = { start_day: 3, ongoing_after_days: 60, duration_days: { dist: 'mixture', components: [{ weight: 0.4, dist: 'uniform', min: 20, max: 50 }, { weight: 0.6, dist: 'discrete', values: [30, 120], weights: [1, 3] }] } };
    const loaded = await loadDoc(doc);
    const [d] = drawnValues(loaded.scenario, loaded.expressions, 1, [loaded.scenario.revocation.duration_days], 500);
    expect(new Set(d)).toEqual(new Set([120]));
  });
});
