/** Warnings: valid scenarios that probably do not say what their author meant (exit 0, printed). */
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioWarnings } from '../../src/model/warnings.js';
import { baseScenario, loadDoc, runCli, tempDir, toYaml } from '../helpers.js';

async function warningsOf(change: (doc: Record<string, any>) => void): Promise<string[]> {
  const doc = baseScenario();
  change(doc);
  return scenarioWarnings((await loadDoc(doc)).scenario);
}

describe('scenario warnings', () => {
  it('none for the base scenario but its deliberate "nobody" policy', async () => {
    expect(await warningsOf((d) => delete d.policies.nobody)).toEqual([]);
  });
  it('a policy that reaches no staff and not the product, with a hint at a likely typo', async () => {
    const w = await warningsOf((d) => (d.policies.nobody = { restrict: { nationality_in: ['CH'] } }));
    expect(w).toEqual([expect.stringMatching(/^policies\.nobody\.restrict: reaches no staff segment and not the product \(no segment has nationality or location CH: a typo\?\), so the policy cuts off nobody here$/)]);
  });
  it('an empty restrict, contradictory rules, no rule at all', async () => {
    const w = await warningsOf((d) => {
      d.policies.nobody = { restrict: {} };
      d.policies.both = { restrict: { nationality_in: ['CA'], nationality_not_in: ['CA'] } };
      d.policies.none = { description: 'forgot the rule' };
    });
    expect(w.join('\n')).toMatch(/policies\.nobody\.restrict: is empty \(\{\}\), so it cuts off nobody/);
    expect(w.join('\n')).toMatch(/policies\.both\.restrict: nationality_in and nationality_not_in exclude each other \(CA\)/);
    expect(w.join('\n')).toMatch(/policies\.none: has no restrict \(and no phases\), so it cuts off nobody/);
  });
  it('a revocation at or beyond the horizon, and percent-looking rates', async () => {
    const w = await warningsOf((d) => {
      delete d.policies.nobody;
      d.revocation.start_day = 120;
      d.firm.revenue_growth = 30;
      d.simulation.discount_rate = 8;
    });
    expect(w).toEqual([
      expect.stringMatching(/^revocation\.start_day: 120 is at or beyond the horizon \(simulation\.horizon_days 120\)/),
      'simulation.discount_rate: 8 looks like a percentage; the key is an annual rate: 0.08 for 8% (did you mean 0.08?)',
      'firm.revenue_growth: 30 looks like a percentage; the key is an annual rate: 0.30 for 30% (did you mean 0.3?)',
    ]);
  });
  it('validate and run print them and exit 0; the report lists them', async () => {
    const dir = tempDir();
    const doc = baseScenario();
    doc.policies.nobody = { restrict: { nationality_in: ['CH'] } };
    const file = join(dir, 's.yaml');
    writeFileSync(file, toYaml(doc));
    const v = await runCli(['validate', file]);
    expect(v.code).toBe(0);
    expect(v.err).toMatch(/s\.yaml:\d+:\d+: warning: policies\.nobody\.restrict: reaches no staff segment/);
    // The line and column are those of the key the warning names.
    const [, line] = /s\.yaml:(\d+):\d+: warning: policies\.nobody\.restrict/.exec(v.err)!;
    expect(readFileSync(file, 'utf8').split('\n')[Number(line) - 1]).toMatch(/^\s*restrict:/);
    const r = await runCli(['run', file, '--out', join(dir, 'r'), '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Warnings:\n {2}- policies\.nobody\.restrict \(line \d+, column \d+\): reaches no staff segment/);
  });
});
