/**
 * report.html: one self-contained, offline file. vega, vega-lite and vega-embed are inlined, every
 * chart is embedded as its Vega-Lite spec and drawn interactively (tooltips), and the tables and
 * provenance match summary.md. The page makes no network request.
 */
import { readFileSync } from 'node:fs';
import type { LoadedScenario } from '../scenario/load.js';
import type { Chart } from '../charts/specs.js';
import { packageFile } from '../charts/assets.js';
import { formatMoney, formatPercent } from './format.js';
import type { SummaryJson } from './summary.js';
import { assumptionsTable, coverageList, DELAY_NOTE, delayTable, decompositionTable, DECOMPOSITION_NOTE, insolvencyTimingTable, metricsTable, mitigationTable, MITIGATION_NOTE, provenance, RESULTS_NOTE, resultsTable, TIMING_NOTE, type Table } from './tables.js';

export const escapeHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
/** Text safe inside a <script> element. */
const scriptSafe = (s: string) => s.replaceAll('</script', '<\\/script').replaceAll('<!--', '<\\!--');

let libraries: string | undefined;
function inlineLibraries(): string {
  libraries ??= [
    ['vega', 'build/vega.min.js'],
    ['vega-lite', 'build/vega-lite.min.js'],
    ['vega-embed', 'build/vega-embed.min.js'],
  ]
    .map(([pkg, file]) => `<script>${scriptSafe(readFileSync(packageFile(pkg, file), 'utf8'))}</script>`)
    .join('\n');
  return libraries;
}

export function table(t: Table, cls = ''): string {
  return `<table class="${cls}"><thead><tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const STYLE = `
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.8rem 0; } th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td:first-child { white-space: nowrap; } .muted { color: #555; font-size: 0.9rem; }
figure { margin: 1.5rem 0; } .warnings { background: #fff6e0; border: 1px solid #e8c66a; padding: 0.5rem 1rem; margin: 1rem 0; } .chart { overflow-x: auto; } code { font-size: 0.85rem; }
`;

/** The charts as figures drawn by vega-embed from their inline specs. */
export function chartFigures(charts: Chart[]): string {
  return charts
    .map((c, i) => `<figure><div class="chart" id="chart-${i}" data-chart="${escapeHtml(c.name)}"></div><script type="application/json" id="spec-${i}">${scriptSafe(JSON.stringify(c.spec).replaceAll('<', '\\u003c'))}</script></figure>`)
    .join('\n');
}

/** A self-contained, offline page: the libraries inlined, the body, and the script that draws the charts. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} | accessgap</title>
<style>${STYLE}</style>
${inlineLibraries()}
</head>
<body>
${body}
<script>
for (const el of document.querySelectorAll('.chart')) {
  const spec = JSON.parse(document.getElementById(el.id.replace('chart', 'spec')).textContent);
  vegaEmbed(el, spec, { actions: false, renderer: 'svg' }).catch((e) => console.error('chart ' + el.dataset.chart + ': ' + e));
}
</script>
</body>
</html>
`;
}

export function reportHtml(loaded: LoadedScenario, summary: SummaryJson, charts: Chart[]): string {
  const s = loaded.scenario;
  const [scenarioLine, runLine, reproduce, quantiles] = provenance(s, summary);
  const bf = summary.butfor;
  const mitigation = mitigationTable(summary);
  const delay = delayTable(summary);
  const figures = chartFigures(charts);
  return htmlPage(
    s.title,
    `<h1>${escapeHtml(s.title)}</h1>
<p class="muted">${escapeHtml(scenarioLine)} ${escapeHtml(runLine)}</p>
${summary.warnings.length ? `<div class="warnings"><strong>Warnings</strong><ul>${summary.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>` : ''}
<h2>Results</h2>
<p>${escapeHtml(RESULTS_NOTE)}</p>
${table(resultsTable(summary), 'results')}
<p>But-for world (no revocation): P(insolvent) = ${escapeHtml(formatPercent(bf.insolvency_probability))} [${escapeHtml(formatPercent(bf.insolvency_probability_ci95[0]))}, ${escapeHtml(formatPercent(bf.insolvency_probability_ci95[1]))}]; mean firm value ${escapeHtml(formatMoney(bf.firm_value.mean, summary.scenario.currency))}.</p>
<h3>Who each policy cuts off</h3>
<ul>${coverageList(summary).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>
<h3>Where the harm comes from</h3>
<p>${escapeHtml(DECOMPOSITION_NOTE)}</p>
${table(decompositionTable(summary), 'decomposition')}
<h3>When the firm fails</h3>
<p>${escapeHtml(TIMING_NOTE)}</p>
${table(insolvencyTimingTable(summary), 'timing')}
${mitigation ? `<h3>Mitigation</h3><p>${escapeHtml(MITIGATION_NOTE)}</p>${table(mitigation, 'mitigation')}` : ''}
${delay ? `<h3>Cost of delay</h3><p>${escapeHtml(DELAY_NOTE(summary.cost_of_delay!))}</p>${table(delay, 'delay')}` : ''}
<h2>Charts</h2>
<p class="muted">Hover over a chart for the values behind it.</p>
${figures}
<h2>All metrics</h2>
<p>Means over paths with their standard error and 5th, 50th and 95th percentiles; metrics that are 0 or 1 per path as probabilities with Wilson 95% intervals.</p>
${table(metricsTable(summary), 'metrics')}
<h2>Assumptions</h2>
<p>Every input of the scenario file, drawn once per path; basis and status as written beside the key in the file.</p>
${table(assumptionsTable(s), 'assumptions')}
${summary.correlations ? `<p>Correlated inputs (Gaussian copula, marginals unchanged): ${escapeHtml(summary.correlations.map((c) => `${c.between.join(' ~ ')}: rank correlation ${c.rank} asked, ${c.achieved.toFixed(3)} achieved`).join('; '))}.</p>` : ''}
<h2>Provenance and reproduction</h2>
<p>${escapeHtml(scenarioLine)}<br>${escapeHtml(runLine)}</p>
<p><code>${escapeHtml(reproduce)}</code></p>
<p class="muted">${escapeHtml(quantiles)}</p>`,
  );
}
