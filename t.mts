import { loadScenario } from './src/scenario/load.ts';
import { runSimulation } from './src/engine/run.ts';
import { buildSummary, seriesRows } from './src/report/summary.ts';
import { buildCharts } from './src/charts/specs.ts';
import { renderChart } from './src/charts/render.ts';
import { writeFileSync, mkdirSync } from 'node:fs';
const l = await loadScenario('scenarios/legion-canada.yaml');
const r = await runSimulation(l, { seed: 1, paths: 3000, threads: 2 });
const s = buildSummary(l, r);
const charts = buildCharts(r, s, seriesRows(r));
mkdirSync('/tmp/charts', { recursive: true });
for (const c of charts) { const t = performance.now(); const out = await renderChart(c.spec); writeFileSync(`/tmp/charts/${c.name}.png`, out.png); writeFileSync(`/tmp/charts/${c.name}.svg`, out.svg); console.log(c.name, (performance.now()-t).toFixed(0), 'ms', out.warnings); }
