/** docs/scenario-format.md shows every distribution with an example, and every example validates. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { baseScenario, loadDoc } from '../helpers.js';

const DISTS = ['constant', 'uniform', 'triangular', 'pert', 'normal', 'lognormal', 'beta', 'bernoulli', 'discrete', 'empirical', 'mixture'];

describe('the format doc', () => {
  const doc = readFileSync('docs/scenario-format.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Distributions'), doc.indexOf('## Derived inputs'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)![1];
  const examples = parse(block) as unknown[];

  it('has an example of every distribution, mixture included', () => {
    for (const d of DISTS) expect(examples.some((e) => typeof e === 'object' && (e as { dist: string }).dist === d), d).toBe(true);
  });

  it('every example is a valid value of the key it names', async () => {
    for (const e of examples) {
      const s = baseScenario();
      s.market.quality_elasticity = e;
      const loaded = await loadDoc(s);
      expect(loaded.scenario.inputs.find((d) => d.key === 'market.quality_elasticity')).toBeDefined();
    }
  });
});
