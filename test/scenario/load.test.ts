import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/problems.js';
import { populationFormatDoc, populationJsonSchema, scenarioFormatDoc, scenarioJsonSchema } from '../../src/scenario/schema.js';
import { baseScenario, loadDoc, toYaml } from '../helpers.js';

/** The messages a document's validation produces (none when valid). */
async function messages(doc: unknown, file = 'test.yaml'): Promise<string[]> {
  try {
    await loadDoc(doc, file);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.message.split('\n').slice(1);
  }
}

describe('shipped scenarios', () => {
  const files = readdirSync('scenarios').filter((f) => /\.ya?ml$/.test(f));
  it.each(files)('scenarios/%s is valid', async (f) => {
    const { scenario } = await loadScenario(`scenarios/${f}`);
    expect(scenario.compare.length).toBeGreaterThan(0);
  });
  it('every uncertain input of a shipped scenario carries a basis comment with a status label', async () => {
    for (const f of files.filter((x) => x !== 'bench.yaml')) {
      const { scenario } = await loadScenario(`scenarios/${f}`);
      for (const d of scenario.inputs) {
        const uncertain = d.value.kind === 'expr' || d.value.spec.dist !== 'constant';
        if (uncertain) expect(d.comment ?? '', `${f}: ${d.key}`).toMatch(/\b(DOC|SEC|REPORTED|EST|JUDGMENT)\b/);
      }
    }
  });
  it('the reference scenario loads, and its licence processing days share one slot', async () => {
    const { scenario } = await loadScenario('test/fixtures/reference/reference-deterministic.yaml');
    expect(scenario.compare).toEqual(['shutoff', 'blanket', 'location', 'concern', 'licence', 'product-only', 'what-happened']);
    expect(scenario.licenseApprovalSlot).toBeGreaterThanOrEqual(0);
    const wh = scenario.policies.find((p) => p.name === 'what-happened')!;
    expect(wh.phases.map((p) => Object.entries(p.restrict).filter(([, v]) => v).map(([k]) => k))).toEqual([['everyone'], ['nationality_not_in']]);
    expect(wh.phases[0].days).toBeGreaterThanOrEqual(0);
    // A one-phase policy is the same as phases: [{restrict}].
    expect(scenario.policies.find((p) => p.name === 'blanket')!.phases).toHaveLength(1);
  });
});

describe('validation messages', () => {
  it('name file, line, column, key path, expected and found, and suggest near-miss keys', async () => {
    const doc = baseScenario();
    doc.firm.revenue_grwth = doc.firm.revenue_growth;
    delete doc.firm.revenue_growth;
    const text = toYaml(doc);
    const line = text.split('\n').findIndex((l) => l.includes('revenue_grwth')) + 1;
    const msgs = await messages(text, 'scen.yaml');
    expect(msgs).toContain(`scen.yaml:${line}:3: firm.revenue_grwth: expected one of the keys revenue_annual, revenue_growth, growth_persistence, gross_margin, operating_costs_annual, cash, credit_line, revenue_multiple, financing, found unknown key "revenue_grwth" (did you mean "revenue_growth"?)`);
    expect(msgs.some((m) => m.includes('firm.revenue_growth: expected the required key revenue_growth'))).toBe(true);
  });
  it('collect every problem of a file at once', async () => {
    const doc = baseScenario();
    doc.simulation.paths = 0;
    doc.staff[1].ai_dependence = { dist: 'pert', min: 0.3, mode: 0.9, max: 0.8 };
    doc.staff[2].nationality = 'cn';
    doc.compare = ['shutof'];
    const msgs = await messages(doc);
    expect(msgs).toHaveLength(4);
    expect(msgs.join('\n')).toMatch(/simulation\.paths: expected a number in \[1, 10000000\], found 0/);
    expect(msgs.join('\n')).toMatch(/staff\[1\]\.ai_dependence\.mode: expected a number in \[min, max\] = \[0\.3, 0\.8\], found 0\.9/);
    expect(msgs.join('\n')).toMatch(/staff\[2\]\.nationality: expected an ISO 3166-1 alpha-2 country code .*found the string "cn" \(did you mean "CN"\?\)/);
    expect(msgs.join('\n')).toMatch(/compare\[0\]: expected the name of a policy .* found "shutof" \(did you mean "shutoff"\?\)/);
  });
  it('report expression problems in the same pass as every other problem', async () => {
    const doc = baseScenario();
    doc.simulation.paths = 0;
    doc.firm.gross_margin = 65;
    doc.firm.cash = '0.5 * firm.operating_costz';
    doc.firm.credit_line = 'sqrt(firm.cash) +';
    // An expression naming an input that has a problem of its own is not reported twice.
    doc.fallback.lag_months = 'firm.gross_margin * 2';
    const msgs = (await messages(doc)).join('\n');
    expect(msgs).toMatch(/simulation\.paths: expected/);
    expect(msgs).toMatch(/firm\.gross_margin: expected a number in \[0, 1\], found 65 \(a percentage\? write 0\.65 for 65%\)/);
    expect(msgs).toMatch(/firm\.cash: expected a name of another input.*"firm\.operating_costz" is unknown/);
    expect(msgs).toMatch(/firm\.credit_line: expected a valid expression/);
    expect(msgs).not.toMatch(/fallback\.lag_months/);
    expect(msgs.split('\n')).toHaveLength(4);
  });
  it('reject a distribution whose draws can leave the key range', async () => {
    const doc = baseScenario();
    doc.firm.gross_margin = { dist: 'normal', mean: 0.6, sd: 0.1 };
    expect(await messages(doc)).toEqual([expect.stringMatching(/firm\.gross_margin: expected a distribution whose draws stay in \[0, 1\] .*found normal with draws in \(-inf, inf\)/)]);
    doc.firm.gross_margin = { dist: 'normal', mean: 0.6, sd: 0.1, min: 0, max: 1 };
    expect(await messages(doc)).toEqual([]);
  });
  it('reject duplicate segment names, a policy named butfor, and a repeated compare entry', async () => {
    const doc = baseScenario();
    doc.staff[1].name = 'us';
    doc.policies.butfor = { restrict: { everyone: true } };
    doc.compare = ['shutoff', 'shutoff'];
    const msgs = (await messages(doc)).join('\n');
    expect(msgs).toMatch(/staff\[1\]\.name: expected a name not used by another segment \(staff\[0\] has it\), found "us"/);
    expect(msgs).toMatch(/policies\.butfor: expected a policy name other than "butfor"/);
    expect(msgs).toMatch(/compare\[1\]: expected each policy at most once/);
  });
  it('report YAML syntax errors with line and column, and JSON errors for .json files', async () => {
    expect(await messages('name: x\ntitle: [unclosed\n', 'bad.yaml')).toEqual([expect.stringMatching(/^bad\.yaml:\d+:\d+: \(top level\): expected valid YAML, found /)]);
    expect(await messages('{"name": "x",}', 'bad.json')).toEqual([expect.stringMatching(/^bad\.json:1:\d+: \(top level\): expected valid JSON, found /)]);
    expect(await messages('', 'empty.yaml')).toEqual(['empty.yaml: (top level): expected a scenario mapping (name, title, simulation, firm, ...), found an empty file']);
  });
  it('accept the same scenario as JSON', async () => {
    expect(await messages(JSON.stringify(baseScenario()), 'ok.json')).toEqual([]);
  });
  it('name a missing file', async () => {
    await expect(loadScenario('no/such/file.yaml')).rejects.toThrow('no/such/file.yaml: (top level): expected a readable scenario file (.yaml, .yml or .json), found no such file');
  });
});

describe('derived inputs', () => {
  it('evaluate expressions over section.key names in dependency order', async () => {
    const doc = baseScenario();
    doc.firm.cash = '0.5 * firm.operating_costs_annual';
    doc.firm.credit_line = 'max(0, firm.cash / 10)';
    const { scenario } = await loadDoc(doc);
    const ids = (k: string) => scenario.inputs.find((d) => d.key === k)!.id;
    expect(scenario.expressionOrder).toEqual([ids('firm.cash'), ids('firm.credit_line')]);
  });
  it('compile the parsed trees handed to a worker thread exactly as the text, and check them alike', async () => {
    const doc = baseScenario();
    doc.firm.cash = '0.5 * firm.operating_costs_annual + (firm.gross_margin > 0.5 ? 1 : 2)';
    doc.firm.credit_line = 'max(0, firm.cash / 10)';
    const loaded = await loadDoc(doc);
    expect(Object.keys(loaded.expressionTrees)).toEqual([doc.firm.cash, doc.firm.credit_line]);
    const text = toYaml(doc);
    // The trees go through structured cloning, as to a worker.
    const again = await parseScenario(text, 'test.yaml', structuredClone(loaded.expressionTrees));
    const values = Float64Array.from(loaded.scenario.inputs, (_, i) => 1000 + i);
    for (const [id, fn] of loaded.expressions) expect(again.expressions.get(id)!(values)).toBe(fn(values));
    // The given tree is what gets compiled (no parsing): a different constant changes the value...
    const trees = structuredClone(loaded.expressionTrees);
    trees[doc.firm.credit_line] = { type: 'ConstantNode', value: 7 };
    const swapped = await parseScenario(text, 'test.yaml', trees);
    const creditLine = loaded.scenario.inputs.find((d) => d.key === 'firm.credit_line')!.id;
    expect(swapped.expressions.get(creditLine)!(values)).toBe(7);
    // ...and a tree outside the whitelist is refused as text would be.
    trees[doc.firm.credit_line] = { type: 'FunctionAssignmentNode' };
    await expect(parseScenario(text, 'test.yaml', trees)).rejects.toThrow(/firm\.credit_line: expected arithmetic on numbers/);
  });
  it.each([
    ['firm.cash', '"firm.credit_line"', 'firm.credit_line', '"firm.cash"', /expected expressions that do not depend on themselves, found the cycle firm\.(cash|credit_line) -> firm\.(credit_line|cash) -> firm\.(cash|credit_line)/],
    ['firm.cash', '"firm.cassh * 2"', undefined, undefined, /firm\.cash: expected a name of another input.*found "firm\.cassh" \(did you mean "firm\.cash"\?\)/],
  ])('reject cycles and unknown names (%s = %s)', async (key, expr, key2, expr2, pattern) => {
    const doc = baseScenario();
    doc.firm[key.split('.')[1]] = JSON.parse(expr);
    if (key2) doc.firm[key2.split('.')[1]] = JSON.parse(expr2!);
    expect((await messages(doc)).join('\n')).toMatch(pattern);
  });
  it.each([
    'import({"x": 1}, {override: true})',
    'evaluate("1+1")',
    'parse("2")',
    'createUnit("foo")',
    'f(x) = x',
    'firm.cash = 5',
    '[1, 2, 3]',
    '1:10',
    '"text"',
    'firm["cash"]',
    'simplify("x")',
    'derivative("x^2", "x")',
    'cos.constructor("return process")()',
    'firm.constructor',
    '{a: 1}',
    '2 mm',
  ])('reject injection and non-arithmetic syntax as a validation error: %s', async (expr) => {
    const doc = baseScenario();
    doc.firm.cash = expr;
    const msgs = await messages(doc);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/^test\.yaml:\d+:\d+: firm\.cash: expected /);
  });
});

describe('generated files', () => {
  it('schema/scenario.schema.json and docs/scenario-format.md are current (npm run schema)', () => {
    expect(JSON.parse(readFileSync('schema/scenario.schema.json', 'utf8'))).toEqual(scenarioJsonSchema());
    expect(readFileSync('docs/scenario-format.md', 'utf8')).toBe(scenarioFormatDoc());
  });
  it('the JSON Schema accepts the shipped scenarios and rejects an unknown key', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(scenarioJsonSchema());
    for (const f of readdirSync('scenarios').filter((x) => x.endsWith('.yaml'))) {
      expect(validate(parse(readFileSync(`scenarios/${f}`, 'utf8'))), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const bad = baseScenario();
    bad.firm.revenue_grwth = 1;
    expect(validate(bad)).toBe(false);
  });
  it('schema/population.schema.json and docs/population-format.md are current, and the schema accepts the shipped population and its archetypes', () => {
    expect(JSON.parse(readFileSync('schema/population.schema.json', 'utf8'))).toEqual(populationJsonSchema());
    expect(readFileSync('docs/population-format.md', 'utf8')).toBe(populationFormatDoc());
    const ajv = new Ajv2020({ strict: false });
    const population = ajv.compile(populationJsonSchema());
    const doc = parse(readFileSync('scenarios/populations/us-firms-foreign-staff.yaml', 'utf8'));
    expect(population(doc), JSON.stringify(population.errors)).toBe(true);
    expect(population({ ...doc, archetypes: [{ ...doc.archetypes[0], firm: 3 }] })).toBe(false);
    const scenario = ajv.compile(scenarioJsonSchema());
    for (const f of readdirSync('scenarios/populations/archetypes')) expect(scenario(parse(readFileSync(`scenarios/populations/archetypes/${f}`, 'utf8'))), f).toBe(true);
  });
});

describe('basis of inputs', () => {
  it('comes from the comment beside or above a key, or from the basis map (JSON), and shows in the assumptions table', async () => {
    const { assumptionRows } = await import('../../src/report/assumptions.js');
    const yaml = toYaml(baseScenario()).replace('gross_margin: 0.7', 'gross_margin: 0.7 # SEC: a margin').replace('discount_rate: 0.1', 'discount_rate: 0.1 # EST: the rate');
    const fromYaml = await parseScenario(yaml, 'a.yaml');
    const rows = assumptionRows(fromYaml.scenario);
    expect(rows.find((r) => r.key === 'firm.gross_margin')!.basis).toBe('SEC: a margin');
    expect(rows.find((r) => r.key === 'simulation.discount_rate')).toMatchObject({ value: '10% a year', basis: 'EST: the rate' });
    const doc = baseScenario();
    doc.basis = { 'firm.cash': 'JUDGMENT: cash', 'staff[1].ai_dependence': 'DOC: uplift', 'simulation.discount_rate': 'EST: json rate' };
    const fromJson = await parseScenario(JSON.stringify(doc), 'a.json');
    const jrows = assumptionRows(fromJson.scenario);
    expect(jrows.find((r) => r.key === 'firm.cash')!.basis).toBe('JUDGMENT: cash');
    expect(jrows.find((r) => r.key === 'staff[1].ai_dependence')!.basis).toBe('DOC: uplift');
    expect(jrows.find((r) => r.key === 'simulation.discount_rate')!.basis).toBe('EST: json rate');
  });
  it('a basis for a key that is not an input is an error naming it', async () => {
    const doc = baseScenario();
    doc.basis = { 'firm.cassh': 'x' };
    expect((await messages(doc)).join('\n')).toMatch(/basis\."firm\.cassh": expected the key path of an input or of a setting .*found "firm\.cassh" \(did you mean "firm\.cash"\?\)/);
  });
});
