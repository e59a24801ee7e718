/**
 * A Document as report.html: one self-contained, offline page. Every chart is there as the static
 * SVG the report folder holds (readable without JavaScript and on paper), and, where scripts run,
 * drawn again interactively (tooltips) from its Vega-Lite spec by vega, vega-lite and vega-embed,
 * which are inlined. Print styles keep table rows whole, repeat table headers and start figures on
 * a new page. The page makes no network request.
 */
import { readFileSync } from 'node:fs';
import type { Chart } from '../../charts/specs.js';
import { packageFile } from '../../charts/assets.js';
import type { Block, Document, StaticSvg, Table } from '../document.js';

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

export function htmlTable(t: Table, cls = ''): string {
  return `<table class="${cls}"><thead><tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const STYLE = `
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.8rem 0; } th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td:first-child { white-space: nowrap; } .muted { color: #555; font-size: 0.9rem; }
figure { margin: 1.5rem 0; } .chart svg { max-width: 100%; height: auto; } .chart .live:empty { display: none; } .interactive { display: none; } .js .interactive { display: block; } .warnings { background: #fff6e0; border: 1px solid #e8c66a; padding: 0.5rem 1rem; margin: 1rem 0; } .chart { overflow-x: auto; } code { font-size: 0.85rem; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  .chart .live, .interactive { display: none !important; } .chart .static { display: block !important; }
  figure { break-before: page; break-inside: avoid; } .chart { overflow: visible; }
  table { break-inside: auto; } tr, td, th { break-inside: avoid; } thead { display: table-header-group; }
  h1, h2, h3 { break-after: avoid; } .warnings { break-inside: avoid; }
}
`;

/** Markup inlined in the page: the SVG element without an XML declaration. */
const inlineSvg = (svg: string) => svg.replace(/^<\?xml[^>]*>\s*/, '');

/**
 * The charts as figures: each its static SVG, then a place where vega-embed draws it live from its
 * inline spec (the static one is hidden once the live one is drawn, and shown again in print).
 */
export function chartFigures(charts: Chart[], svgOf: StaticSvg = () => undefined): string {
  return charts
    .map((c, i) => {
      const svg = svgOf(c.name);
      const still = svg ? `<div class="static" role="img" aria-label="${escapeHtml(c.title)}">${inlineSvg(svg)}</div>` : '';
      return `<figure><div class="chart" id="chart-${i}" data-chart="${escapeHtml(c.name)}">${still}<div class="live"></div></div><script type="application/json" id="spec-${i}">${scriptSafe(JSON.stringify(c.spec).replaceAll('<', '\\u003c'))}</script></figure>`;
    })
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
document.documentElement.classList.add('js');
for (const el of document.querySelectorAll('.chart')) {
  const spec = JSON.parse(document.getElementById(el.id.replace('chart', 'spec')).textContent);
  const still = el.querySelector('.static');
  vegaEmbed(el.querySelector('.live'), spec, { actions: false, renderer: 'svg' })
    .then(() => { if (still) still.style.display = 'none'; })
    .catch((e) => console.error('chart ' + el.dataset.chart + ': ' + e));
}
</script>
</body>
</html>
`;
}

/** Escaped text with `code` spans as <code>. */
const inline = (s: string) => escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');

function html(b: Block, svgOf: StaticSvg): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p${b.muted ? ' class="muted"' : ''}>${inline(b.text)}</p>`;
    case 'lines':
      return `<p${b.muted ? ' class="muted"' : ''}>${b.lines.map(escapeHtml).join('<br>')}</p>`;
    case 'list':
      return `<ul>${b.items.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
    case 'table':
      return htmlTable(b.table, b.className);
    case 'figures':
      return chartFigures(b.charts, svgOf);
    case 'note':
      return `<div class="warnings"><strong>${escapeHtml(b.title)}</strong><ul>${b.items.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>`;
    case 'command':
      return `<p><code>${escapeHtml(b.text)}</code></p>`;
    case 'interactive-hint':
      return `<p class="muted interactive">${escapeHtml(b.text)}</p>`;
    case 'cover':
      return `<h1>${escapeHtml(b.title)}</h1><dl>${b.fields.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl><ol>${b.contents.map(([, t]) => `<li>${escapeHtml(t)}</li>`).join('')}</ol>${b.note ? `<p class="muted">${escapeHtml(b.note)}</p>` : ''}`;
    case 'exhibit':
      return `<h2 class="exhibit">Exhibit ${b.n}. ${escapeHtml(b.title)}</h2>`;
    case 'chart':
      return chartFigures([b.chart], svgOf);
  }
}

/** The page; `svgOf` gives each chart's static SVG (a report folder's charts/<name>.svg). */
export function renderHtml(doc: Document, svgOf: StaticSvg = () => undefined): string {
  return htmlPage(doc.title, doc.blocks.map((b) => html(b, svgOf)).filter((x) => x !== '').join('\n'));
}

/** The static SVGs of a report folder's files being built (charts/<name>.svg). */
export const folderSvgs =
  (files: Map<string, string | Uint8Array>): StaticSvg =>
  (name) => {
    const f = files.get(`charts/${name}.svg`);
    return typeof f === 'string' ? f : undefined;
  };
