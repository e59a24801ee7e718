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

  it("parses with the bundled parser (dist/mathjs-parser.js, what the CLI loads) exactly as with mathjs's own numbers-only build", async () => {
    const { existsSync } = await import('node:fs');
    const bundled = new URL('../../dist/mathjs-parser.js', import.meta.url);
    expect(existsSync(bundled), 'npm test builds dist/ first').toBe(true);
    const mine = (await import(bundled.href)) as typeof import('mathjs/number');
    const theirs = await import('mathjs/number');
    const [a, b] = [mine, theirs].map(({ create, parseDependencies }) => create({ parseDependencies }, { number: 'number' }));
    const plain = (node: unknown) => JSON.stringify(node, (k, v) => (typeof v === 'function' ? undefined : v));
    for (const source of ['0.6 * firm.revenue_annual', 'max(0, 1 - staff[0].ai_dependence) ^ 2 / 3', 'min(a, b) + (c > 1 ? 2 : 3e-4) * -x', 'log(firm.cash) + exp(-1.5e6 / 365.25)']) {
      expect(plain(a.parse(source)), source).toBe(plain(b.parse(source)));
      expect(a.parse(source).toString()).toBe(b.parse(source).toString());
    }
    expect(() => a.parse('1 +')).toThrow();
  });
});
