/**
 * Rendering Vega-Lite specs: compile with vega-lite, render to SVG with a headless vega View
 * (no canvas), and rasterise to PNG with resvg using the fonts shipped with the package, so the
 * PNGs are the same on every machine. Warnings from either library are collected, not printed.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FONT_FILES } from './assets.js';
import { FONT } from './theme.js';
import { loadFaces, measureText } from './text.js';

type Libraries = { vega: typeof import('vega'); compile: typeof import('vega-lite').compile; renderAsync: typeof import('@resvg/resvg-js').renderAsync };
let libraries: Promise<Libraries> | undefined;

/**
 * vega, vega-lite, resvg and the fonts' metrics, loaded on the first chart: a command that draws
 * none (a shard, a worker, validate) starts without them.
 */
function chartLibraries(): Promise<Libraries> {
  return (libraries ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js'), loadFaces()]).then(([vega, vl, resvg]) => {
    // vega's only hook for text measurement is this module-level object; set once, the same for every chart.
    (vega as unknown as { textMetrics: { width: unknown } }).textMetrics.width = measureText;
    return { vega, compile: vl.compile, renderAsync: resvg.renderAsync };
  }));
}

export interface Rendered {
  svg: string;
  png: Uint8Array;
  warnings: string[];
}

/** A vega/vega-lite logger that records warnings and errors instead of printing them. */
function collectingLogger(warnings: string[]) {
  let level = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: (...args: unknown[]) => (warnings.push(`error: ${args.join(' ')}`), logger),
    warn: (...args: unknown[]) => (warnings.push(`warning: ${args.join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

export async function renderSvg(spec: TopLevelSpec): Promise<{ svg: string; warnings: string[] }> {
  const { vega, compile } = await chartLibraries();
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const { spec: vgSpec } = compile(spec, { logger: logger as never });
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logger: logger as never, logLevel: vega.Warn });
  const svg = await view.toSVG();
  view.finalize();
  return { svg, warnings };
}

/** An SVG's size in its own units, from the viewBox vega writes (800 x 600 when there is none). */
export function svgSize(svg: string): [number, number] {
  const m = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  return m ? [Number(m[1]), Number(m[2])] : [800, 600];
}

/**
 * The PNG of an SVG at `scale`. resvg rasterises on libuv's thread pool, so the PNGs of a report
 * render side by side, and beside the main thread's next chart.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { renderAsync } = await chartLibraries();
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT },
    background: 'white',
  });
  return image.asPng();
}

export async function renderChart(spec: TopLevelSpec): Promise<Rendered> {
  const { svg, warnings } = await renderSvg(spec);
  return { svg, png: await svgToPng(svg), warnings };
}

/**
 * Renders charts into a report folder's files: charts/<name>.vl.json, .svg and .png. Returns the
 * renderers' warnings, each prefixed with its chart's name (none expected).
 */
export async function addChartFiles(files: Map<string, string | Uint8Array>, charts: { name: string; spec: TopLevelSpec }[]): Promise<string[]> {
  const warnings: string[] = [];
  // Every chart's SVG in turn; their PNGs render meanwhile, and are awaited together.
  const rendered: { svg: string; png: Promise<Uint8Array> }[] = [];
  for (const chart of charts) {
    const r = await renderSvg(chart.spec);
    warnings.push(...r.warnings.map((w) => `${chart.name}: ${w}`));
    rendered.push({ svg: r.svg, png: svgToPng(r.svg) });
  }
  const pngs = await Promise.all(rendered.map((r) => r.png));
  charts.forEach((chart, i) => {
    files.set(`charts/${chart.name}.vl.json`, JSON.stringify(chart.spec) + '\n');
    files.set(`charts/${chart.name}.svg`, rendered[i].svg);
    files.set(`charts/${chart.name}.png`, pngs[i]);
  });
  return warnings;
}
