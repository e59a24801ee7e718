// Writes the files generated from the scenario and population spec: schema/scenario.schema.json,
// docs/scenario-format.md, schema/population.schema.json and docs/population-format.md. Run with
// `npm run schema` after changing src/scenario/spec.ts.
import { writeFileSync } from 'node:fs';
import { populationFormatDoc, populationJsonSchema, scenarioFormatDoc, scenarioJsonSchema } from '../src/scenario/schema.js';

writeFileSync('schema/scenario.schema.json', JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
writeFileSync('docs/scenario-format.md', scenarioFormatDoc());
writeFileSync('schema/population.schema.json', JSON.stringify(populationJsonSchema(), null, 2) + '\n');
writeFileSync('docs/population-format.md', populationFormatDoc());
console.log('wrote schema/scenario.schema.json, docs/scenario-format.md, schema/population.schema.json and docs/population-format.md');

// The worked example's tables in docs/model.md, between its markers.
import { readFileSync } from 'node:fs';
import { loadScenario } from '../src/scenario/load.js';
import { workedExampleMarkdown } from '../src/report/worked.js';
const doc = readFileSync('docs/model.md', 'utf8');
const tables = await workedExampleMarkdown(await loadScenario('scenarios/worked-example.yaml'));
const mitigation = await workedExampleMarkdown(await loadScenario('scenarios/worked-mitigation.yaml'), 'location', true);
const updated = doc
  .replace(/(<!-- worked-example:begin -->)[\s\S]*?(<!-- worked-example:end -->)/, `$1\n${tables}\n$2`)
  .replace(/(<!-- worked-mitigation:begin -->)[\s\S]*?(<!-- worked-mitigation:end -->)/, `$1\n${mitigation}\n$2`);
writeFileSync('docs/model.md', updated);
console.log('updated the worked examples in docs/model.md');
