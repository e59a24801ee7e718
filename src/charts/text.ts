/**
 * Text widths for vega's layout from the shipped DejaVu fonts' advance widths (opentype.js), so
 * titles, labels and legends are laid out for the font the PNGs are drawn with. Without a canvas
 * vega would otherwise guess 0.8 x font size per character, which is ~60% too wide for this font.
 */
import { readFileSync } from 'node:fs';
import type { Font } from 'opentype.js';
import { FONT_FILES } from './assets.js';

/** The regular and bold faces, once loadFaces has parsed them. */
let faces: Font[] | undefined;
let loading: Promise<void> | undefined;
const caches = [new Map<string, number>(), new Map<string, number>()];

/**
 * Loads opentype.js and parses the shipped faces, once: charts/render.ts awaits it with the chart
 * libraries, so a command that draws no chart (a shard, a worker, validate) never loads the parser.
 */
export function loadFaces(): Promise<void> {
  return (loading ??= import('opentype.js').then(({ default: opentype }) => {
    faces = FONT_FILES.map((file) => {
      const buf = readFileSync(file);
      return opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer);
    });
  }));
}

/** Width of text in ems (no kerning), in the regular or bold face (after loadFaces). */
export function textWidthEm(text: string, isBold = false): number {
  if (!faces) throw new Error('textWidthEm before loadFaces');
  const font = faces[isBold ? 1 : 0];
  const cache = caches[isBold ? 1 : 0];
  let em = 0;
  for (const ch of text) {
    let w = cache.get(ch);
    if (w === undefined) {
      w = font.charToGlyph(ch).advanceWidth! / font.unitsPerEm;
      cache.set(ch, w);
    }
    em += w;
  }
  return em;
}

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
}

/** vega's textMetrics.width signature: (item, text) -> pixels. */
export function measureText(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  const s = text == null ? '' : String(text).trim();
  const w = item.fontWeight;
  const isBold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
  return textWidthEm(s, isBold) * size;
}
