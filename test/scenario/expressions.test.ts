import { describe, expect, it } from 'vitest';
describe('expressions and v2 inputs', () => {
  it('can name an optional input left out (its default) and see day counts rounded', async () => {
    const { baseScenario, loadDoc } = await import('../helpers.js');
    const { simulatePath } = await import('../../src/model/path.js');
    const doc = baseScenario();
    doc.revocation.duration_days = 40.4;
    // market.permanent_share and firm.growth_persistence are left out: 0 and 1.
    doc.firm.credit_line = '1000 * (market.permanent_share + firm.growth_persistence) + revocation.duration_days';
    const loaded = await loadDoc(doc);
    const r = simulatePath(loaded, 1, 0);
    expect(r.values[loaded.scenario.firm.credit_line]).toBe(1000 + 40);
  });
});
