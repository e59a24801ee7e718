/**
 * Generates, from FORMAT, the JSON Schema for editors (schema/scenario.schema.json) and the
 * format reference (docs/scenario-format.md). `npm run schema` writes both; a test checks that
 * the committed files are current.
 */
import { DIST_KINDS } from '../distributions/distributions.js';
import { ALLOWED_FUNCTIONS } from './expressions.js';
import { COMMON_SECTIONS, describeRange, EXPRESSION_SECTIONS, FORMAT, POPULATION_FORMAT, type Field, type Node, type Range } from './spec.js';

type Json = Record<string, unknown>;

const rangeSchema = (r: Range): Json => ({
  ...(r.min !== undefined ? (r.minExclusive ? { exclusiveMinimum: r.min } : { minimum: r.min }) : {}),
  ...(r.max !== undefined ? (r.maxExclusive ? { exclusiveMaximum: r.max } : { maximum: r.max }) : {}),
});

function distributionDefs(): Json {
  const kinds = Object.entries(DIST_KINDS).map(([kind, info]) => {
    const properties: Json = { dist: { const: kind }, weight: { type: 'number', exclusiveMinimum: 0, description: 'weight of this component inside a mixture' } };
    for (const [p, spec] of Object.entries(info.params)) {
      properties[p] =
        spec.type === 'number'
          ? { type: 'number', description: spec.doc }
          : spec.type === 'numbers'
            ? { type: 'array', items: { type: 'number' }, minItems: 1, description: spec.doc }
            : { type: 'array', items: { $ref: '#/$defs/distribution' }, minItems: 1, description: spec.doc };
    }
    const required = ['dist', ...Object.entries(info.params).filter(([, s]) => s.required).map(([p]) => p)];
    return { type: 'object', description: info.doc, properties, required, additionalProperties: false };
  });
  return { distribution: { oneOf: kinds } };
}

function nodeSchema(node: Node): Json {
  switch (node.kind) {
    case 'object': {
      const properties: Json = {};
      for (const [k, f] of Object.entries(node.fields)) properties[k] = { ...nodeSchema(f.node), description: f.doc, ...(f.default !== undefined ? { default: f.default } : {}) };
      const required = Object.entries(node.fields).filter(([, f]) => f.required).map(([k]) => k);
      return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
    }
    case 'map':
      return { type: 'object', propertyNames: { pattern: node.keyPattern.source, not: { const: 'butfor' } }, additionalProperties: nodeSchema(node.value), ...(node.minEntries ? { minProperties: node.minEntries } : {}) };
    case 'list':
      return { type: 'array', items: nodeSchema(node.item), ...(node.minItems ? { minItems: node.minItems } : {}), ...(node.maxItems ? { maxItems: node.maxItems } : {}) };
    case 'number':
      return { type: node.integer ? 'integer' : 'number', ...rangeSchema(node.range) };
    case 'string':
      return { type: 'string', ...(node.pattern ? { pattern: node.pattern.source } : {}), ...(node.maxLength ? { maxLength: node.maxLength } : {}) };
    case 'boolean':
      return { type: 'boolean' };
    case 'country':
      return { type: 'string', pattern: '^[A-Z]{2}$' };
    case 'date':
      return { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
    case 'dist':
      return {
        anyOf: [
          { type: 'number', ...rangeSchema(node.range) },
          { type: 'string', description: 'a derived input: an expression over section.key names' },
          { $ref: '#/$defs/distribution' },
        ],
      };
  }
}

/** A JSON Schema (draft 2020-12) of a format's root node, with the distributions' definitions. */
const formatJsonSchema = (root: Node, file: string, title: string, description: string): Json => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `https://accessgap.dev/schema/${file}`,
  title,
  description,
  ...nodeSchema(root),
  $defs: distributionDefs(),
});

export const scenarioJsonSchema = (): Json =>
  formatJsonSchema(FORMAT, 'scenario.schema.json', 'accessgap scenario', 'A scenario for the accessgap Monte Carlo engine (docs/scenario-format.md). Generated from src/scenario/spec.ts; do not edit.');

export const populationJsonSchema = (): Json =>
  formatJsonSchema(POPULATION_FORMAT, 'population.schema.json', 'accessgap population', 'A population of firms for accessgap population (docs/population-format.md). Generated from src/scenario/spec.ts; do not edit.');

function typeText(node: Node): string {
  switch (node.kind) {
    case 'object':
      return 'mapping';
    case 'map':
      return `mapping of ${node.keyDoc} to entries`;
    case 'list':
      return `list of ${typeText(node.item)}${node.minItems ? ` (at least ${node.minItems})` : ''}`;
    case 'number':
      return `${node.integer ? 'integer' : 'number'}${Object.keys(node.range).length ? ` ${describeRange(node.range)}` : ''}`;
    case 'string':
      return node.patternDoc ? `text: ${node.patternDoc}` : 'text';
    case 'boolean':
      return 'true or false';
    case 'country':
      return 'ISO 3166-1 alpha-2 code';
    case 'date':
      return 'date, YYYY-MM-DD';
    case 'dist':
      return `*(dist)*${Object.keys(node.range).length ? ` ${describeRange(node.range)}` : ''}${node.integer ? ', whole days' : ''}`;
  }
}

function fieldRows(node: Node, prefix: string, rows: string[]): void {
  if (node.kind === 'object') {
    for (const [k, f] of Object.entries(node.fields) as [string, Field][]) {
      const key = prefix ? `${prefix}.${k}` : k;
      const def = f.default !== undefined ? ` Default: \`${JSON.stringify(f.default)}\`.` : '';
      rows.push(`| \`${key}\` | ${f.required ? 'yes' : 'no'} | ${typeText(f.node)} | ${f.doc}${def} |`);
      if (f.node.kind === 'object') fieldRows(f.node, key, rows);
      if (f.node.kind === 'list' && f.node.item.kind === 'object') fieldRows(f.node.item, `${key}[]`, rows);
      if (f.node.kind === 'map' && f.node.value.kind === 'object') fieldRows(f.node.value, `${key}.<name>`, rows);
    }
  }
}

export function scenarioFormatDoc(): string {
  const rows: string[] = [];
  fieldRows(FORMAT, '', rows);
  const dists = Object.entries(DIST_KINDS).map(([k, info]) => `| \`${k}\` | ${Object.entries(info.params).map(([p, s]) => (s.required ? `\`${p}\`` : `\`${p}\`?`)).join(', ')} | ${info.doc} |`);
  return `# Scenario file format

<!-- Generated from src/scenario/spec.ts by \`npm run schema\`; do not edit by hand. -->

A scenario is a YAML (or JSON) file. Editors that speak the YAML language server validate and
complete it when the file starts with

\`\`\`yaml
# yaml-language-server: $schema=../schema/scenario.schema.json
\`\`\`

(a JSON file may set \`"$schema"\` instead). \`accessgap validate FILE\` checks a file and reports every
problem at once, each with file, line, column, key path, what was expected and what was found.

## Keys

Units: money in the scenario's currency, rates per year, durations in days unless the key says
months. A *(dist)* input is a number, a distribution mapping (below) or a derived-input expression,
drawn or evaluated once per Monte Carlo path.

| key | required | type | meaning |
|---|---|---|---|
${rows.join('\n')}

A segment's **effective nationality** is \`US\` when \`us_person: true\`, else its \`nationality\`. A
policy's rule reaches a segment when \`restrict\` has at least one staff condition
(\`nationality_in\`, \`nationality_not_in\`, \`location_in\`, \`location_not_in\`, \`everyone: true\`) and
every one of them holds. The product is cut off when \`everyone: true\` or \`product: true\`.

## Basis and status of inputs

Every report has an assumptions table: each input, its value or distribution, and its **basis**.
The basis is the comment written beside the key, or on the line just above it:

\`\`\`yaml
firm:
  # SEC: SaaS growth persistence 80-85% (Scale Venture Partners)
  growth_persistence: {dist: pert, min: 0.60, mode: 0.75, max: 0.85}
  gross_margin: {dist: pert, min: 0.40, mode: 0.55, max: 0.75}   # SEC/EST: AI-native ~52% (ICONIQ 2026)
\`\`\`

Start it with a status label so a reader can weigh it: **DOC** (primary text or the study itself),
**SEC** (secondary summary), **REPORTED** (news, unverified), **EST** (published estimate, wide
uncertainty), **JUDGMENT** (no source found; an assumption to vary in a sensitivity analysis).
The settings \`simulation.paths\`, \`horizon_days\`, \`tail_days\`, \`discount_rate\`,
\`revocation.start_day\` and \`countries_of_concern\` take a basis the same way.

JSON has no comments: give the basis in a top-level \`basis\` mapping from key path (as validation
messages write it) to text, which also works in YAML and wins over a comment:

\`\`\`json
"basis": {
  "firm.gross_margin": "SEC/EST: AI-native ~52% (ICONIQ 2026)",
  "staff[1].ai_dependence": "DOC/EST: coding uplift +26% (Cui et al.)",
  "simulation.discount_rate": "EST/JUDGMENT: WACC floor to venture hurdle"
}
\`\`\`

## Distributions

| dist | parameters (? optional) | meaning |
|---|---|---|
${dists.join('\n')}

Each item below is one way to write the same input, \`market.quality_elasticity\` (every draw must
stay at or above 0); any *(dist)* key takes the same forms:

\`\`\`yaml
- 1.5                                                          # a plain number: a constant
- {dist: constant, value: 1.5}
- {dist: uniform, min: 0.5, max: 3}
- {dist: triangular, min: 0.5, mode: 1.5, max: 3}
- {dist: pert, min: 0.5, mode: 1.5, max: 3}                    # lambda 4 unless given
- {dist: pert, min: 0.5, mode: 1.5, max: 3, lambda: 8}         # more weight near the mode
- {dist: normal, mean: 1.5, sd: 0.5, min: 0}                   # truncated at 0
- {dist: lognormal, median: 1.5, p90: 3}                       # or p05 and p95, or mu and sigma
- {dist: lognormal, p05: 0.8, p95: 3.5}
- {dist: beta, alpha: 2, beta: 5, min: 0, max: 4}
- {dist: bernoulli, p: 0.3}                                    # 1 on 30% of paths, else 0
- {dist: discrete, values: [0.5, 1.5, 3], weights: [0.2, 0.5, 0.3]}
- {dist: empirical, values: [0.8, 1.1, 1.4, 2.0, 2.6]}         # e.g. estimates from five studies
- dist: mixture                                                # two stories: 70% short, 30% long
  components:
    - {weight: 0.7, dist: pert, min: 0.5, mode: 1, max: 2}
    - {weight: 0.3, dist: uniform, min: 2, max: 4}
\`\`\`

A distribution must be possible (min < max, mode within [min, max], sd >= 0, p90 > median,
positive weights) and every draw must stay in its key's range: an unbounded normal for a share in
[0, 1] is an error; truncate it with \`min\`/\`max\`. Day counts (\`duration_days\`,
\`processing_days\`, \`retry_days\`) are rounded half up and floored at 0.

## Derived inputs

A *(dist)* field may hold a string: an expression evaluated on each path after every distribution
has been drawn. It names other *(dist)* inputs of the sections ${EXPRESSION_SECTIONS.join(', ')} as
\`section.key\` (also \`firm.financing.key\`), for example

\`\`\`yaml
firm:
  cash: "0.5 * firm.operating_costs_annual"
\`\`\`

Allowed: numbers, \`section.key\` names, \`pi\`, \`e\`, \`+ - * / ^\`, comparisons (\`< > <= >= == !=\`, giving
1 or 0), \`condition ? a : b\`, parentheses, and the functions ${ALLOWED_FUNCTIONS.map((f) => `\`${f}\``).join(', ')}
(\`round\` rounds half up). Anything else (assignments, function definitions, matrices, strings,
units, indexing, other functions) is a validation error, as are unknown names and cycles. A value
that is not finite, or leaves its key's range, on some path stops the run with exit code 1 and
names the path.
`;
}

export function populationFormatDoc(): string {
  const rows: string[] = [];
  fieldRows(POPULATION_FORMAT, '', rows);
  return `# Population file format

<!-- Generated from src/scenario/spec.ts by \`npm run schema\`; do not edit by hand. -->

A population (\`accessgap population FILE\`) is a YAML (or JSON) file naming kinds of firm
(archetypes), each a scenario file and a count, and the policies to run every one of them under.
Editors validate it with

\`\`\`yaml
# yaml-language-server: $schema=../../schema/population.schema.json
\`\`\`

\`accessgap validate FILE\` checks a population as it checks a scenario (a file with an
\`archetypes\` key is a population): every problem at once, with file, line, column and key path,
and each archetype's scenario with it (its problems name both files).

## Keys

The sections \`common.${COMMON_SECTIONS.join('`, `common.')}\` and \`policies\` take exactly the keys
of a scenario's sections of the same name (docs/scenario-format.md); \`firms\` is a *(dist)* input
like a scenario's.

| key | required | type | meaning |
|---|---|---|---|
${rows.filter((r) => !/^\| `(common\.(frontier|fallback|revocation)|policies\.<name>)\./.test(r)).map((r) => (r.startsWith('| `archetypes[].firms`') ? r.replace('whole days', 'a whole number') : r)).join('\n')}

## What each archetype runs

Each archetype's scenario is run as written, except that the population replaces its
\`simulation\`, \`policies\`, \`compare\` and \`countries_of_concern\`, drops its \`exhibit\`, and
replaces each section given in \`common\`. Its correlations that name a common input give way to
\`common.correlations\`. Every archetype must use the population's currency.

Common inputs (the \`common\` sections and the phase lengths of the policies) are drawn once per
population path and shared by every firm of every archetype on it; everything else (the firm, its
staff, its market, a licence's processing time and approval) is drawn per firm. docs/model.md
section 15 states the method.
`;
}
