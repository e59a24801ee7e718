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
  forSvg(vgSpec.marks);
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logger: logger as never, logLevel: vega.Warn });
  const svg = await view.toSVG();
  view.finalize();
  return { svg, warnings };
}

/** Marks drawn as one SVG element for all their items (vega-scenegraph's nested marks): it carries the first item's aria-label. */
const NESTED = new Set(['line', 'area', 'trail']);

/**
 * What vega would compute for every item but an SVG never shows, left out: the marks' tooltips
 * (an SVG has none), and the aria descriptions of a line's or area's items after its first (the
 * one element drawn for them carries the first item's). On the revenue chart that is three
 * formatted numbers for each of 11,696 points; drawing the default run's charts took 30 to 40%
 * less time, to the same SVG bytes. The .vl.json specs keep both, for interactive viewers.
 */
function forSvg(marks: unknown): void {
  if (!Array.isArray(marks)) return;
  for (const m of marks as { type?: string; encode?: Record<string, Record<string, unknown>>; marks?: unknown }[]) {
    for (const set of Object.values(m.encode ?? {})) {
      delete set.tooltip;
      const d = set.description as { signal?: string } | undefined;
      if (NESTED.has(m.type ?? '') && typeof d?.signal === 'string') set.description = { signal: `item.mark.items[0] === item ? (${d.signal}) : null` };
    }
    forSvg(m.marks);
  }
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

/** A chart drawn: its SVG, its PNG (rasterising meanwhile) and the renderers' warnings. */
interface Drawn {
  svg: string;
  png: Promise<Uint8Array>;
  warnings: string[];
}

/**
 * Charts drawn, by their spec's text: a report can draw its charts before all its figures are in
 * (a run, while its cost-of-delay exhibit simulates) and draws again only those whose spec then
 * differs. Rendering is a function of the spec alone, so the files are the same bytes either way.
 */
export class ChartRenders {
  private readonly drawn = new Map<string, Promise<Drawn>>();
  /** Each SVG is drawn after the one asked for before it (vega on this thread); PNGs rasterise side by side. */
  private last: Promise<unknown> = Promise.resolve();

  draw(spec: TopLevelSpec, text = JSON.stringify(spec)): Promise<Drawn> {
    let drawn = this.drawn.get(text);
    if (!drawn) {
      drawn = this.last.then(async () => {
        const { svg, warnings } = await renderSvg(spec);
        const png = svgToPng(svg);
        png.catch(() => undefined); // awaited by addChartFiles; unhandled meanwhile is not a failure
        return { svg, png, warnings };
      });
      this.last = drawn.catch(() => undefined);
      this.drawn.set(text, drawn);
    }
    return drawn;
  }

  /** Starts drawing `charts` (e.g. before the report's last figures are in) and resolves once their SVGs are drawn. */
  async drawAll(charts: { spec: TopLevelSpec }[]): Promise<void> {
    await Promise.all(charts.map((c) => this.draw(c.spec)));
  }
}

/**
 * Renders charts into a report folder's files: charts/<name>.vl.json, .svg and .png. Returns the
 * renderers' warnings, each prefixed with its chart's name (none expected). `renders`: charts
 * drawn already (ChartRenders), reused where the spec is the same.
 */
export async function addChartFiles(files: Map<string, string | Uint8Array>, charts: { name: string; spec: TopLevelSpec }[], renders = new ChartRenders()): Promise<string[]> {
  const texts = charts.map((c) => JSON.stringify(c.spec));
  // Every chart's SVG in turn; their PNGs render meanwhile, and are awaited together.
  const drawn = await Promise.all(charts.map((c, i) => renders.draw(c.spec, texts[i])));
  const pngs = await Promise.all(drawn.map((d) => d.png));
  const warnings: string[] = [];
  charts.forEach((chart, i) => {
    warnings.push(...drawn[i].warnings.map((w) => `${chart.name}: ${w}`));
    files.set(`charts/${chart.name}.vl.json`, texts[i] + '\n');
    files.set(`charts/${chart.name}.svg`, drawn[i].svg);
    files.set(`charts/${chart.name}.png`, pngs[i]);
  });
  return warnings;
}
