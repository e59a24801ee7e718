/**
 * A Document as a PDF for filing (US Letter, fonts embedded): one more renderer of the same blocks
 * as Markdown and HTML. Every chart is an exhibit of its own, numbered, on a page of its own, drawn
 * as vectors from the SVG the report folder holds; tables are real tables whose rows never split
 * across pages and whose header repeats on every page; every page carries a footer with its
 * exhibit number, "page k of m" and the scenario's SHA-256 prefix. The file is byte-reproducible:
 * pdfkit's document id is a hash of the info dictionary, whose dates are fixed here.
 */
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { FONT_FILES } from '../../charts/assets.js';
import { svgSize } from '../../charts/render.js';
import type { Block, Document, StaticSvg, Table } from '../document.js';
import type { Chart } from '../../charts/specs.js';

const FONT = 'DejaVu Sans';
const BOLD = 'DejaVu Sans-Bold';
const MARGIN = 54;
/** Fixed creation and modification dates: the same bytes on every run. */
const FIXED_DATE = new Date(Date.UTC(2026, 0, 1));

export interface PdfOptions {
  /** Each chart's static SVG (a report folder's charts/<name>.svg). */
  svgOf: StaticSvg;
  /** The footer's fixed part, e.g. "Scenario legion-canada, sha256 d0323d38". */
  footer: string;
}

/**
 * The SVG as svg-to-pdfkit takes it: a dash pattern with a zero length (vega writes a solid line
 * as "1,0") is refused there, and drawn solid without the attribute.
 */
export const pdfSafeSvg = (svg: string): string =>
  svg.replace(/ stroke-dasharray="([^"]*)"/g, (all, v: string) => (v.split(/[\s,]+/).map(Number).some((x) => !(x > 0)) ? '' : all));

/** An exhibit's caption: the chart's own figure title (without "Figure N."), as the chart draws it. */
export const exhibitTitle = (c: Chart): string => /^Figure \d+\. (.*)$/.exec((c.spec as { title?: { text?: string } }).title?.text ?? '')?.[1] ?? c.title;

/** Text without Markdown's code marks. */
const plain = (s: string) => s.replace(/`([^`]+)`/g, '$1');

type Doc = InstanceType<typeof PDFDocument>;

function bottom(doc: Doc): number {
  return doc.page.height - MARGIN - 14;
}

function ensure(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

/** Column widths in proportion to each column's longest cell (within bounds), filling the width. */
function columnWidths(doc: Doc, t: Table, width: number, size: number): number[] {
  doc.font(FONT).fontSize(size);
  const want = t.head.map((h, i) => Math.min(180, Math.max(36, doc.widthOfString(h) * 0.6, ...t.rows.map((r) => doc.widthOfString(r[i] ?? '') + 8))));
  const total = want.reduce((a, b) => a + b, 0);
  return want.map((w) => (w / total) * width);
}

function drawTable(doc: Doc, t: Table): void {
  const size = t.head.length > 6 ? 6.5 : 7.5;
  const width = doc.page.width - 2 * MARGIN;
  const widths = columnWidths(doc, t, width, size);
  const pad = 3;
  const rowHeight = (cells: string[], font: string) => {
    doc.font(font).fontSize(size);
    return Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i] - 2 * pad }))) + 2 * pad;
  };
  const drawRow = (cells: string[], font: string, shade: boolean) => {
    const h = rowHeight(cells, font);
    const y = doc.y;
    let x = MARGIN;
    if (shade) doc.rect(MARGIN, y, width, h).fill('#eeeeee');
    doc.fillColor('#000').font(font).fontSize(size);
    cells.forEach((c, i) => {
      doc.text(c, x + pad, y + pad, { width: widths[i] - 2 * pad });
      doc.rect(x, y, widths[i], h).lineWidth(0.4).stroke('#999999');
      x += widths[i];
    });
    doc.x = MARGIN;
    doc.y = y + h;
  };
  const headHeight = rowHeight(t.head, BOLD);
  ensure(doc, headHeight + rowHeight(t.rows[0] ?? t.head, FONT));
  drawRow(t.head, BOLD, true);
  for (const r of t.rows) {
    const h = rowHeight(r, FONT);
    if (doc.y + h > bottom(doc)) {
      // A row never splits: a new page, and the header again.
      doc.addPage();
      drawRow(t.head, BOLD, true);
    }
    drawRow(r, FONT, false);
  }
  doc.moveDown(0.8);
}

export async function renderPdf(d: Document, opts: PdfOptions): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'LETTER', margin: MARGIN, bufferPages: true, info: { Title: d.title, Producer: 'accessgap', Creator: 'accessgap', CreationDate: FIXED_DATE, ModDate: FIXED_DATE } });
  doc.registerFont(FONT, FONT_FILES[0]);
  doc.registerFont(BOLD, FONT_FILES[1]);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  const width = doc.page.width - 2 * MARGIN;
  /** The exhibit each page shows, by page index (none on the report's other pages). */
  const exhibitOf: (number | undefined)[] = [];
  let exhibit = 0;

  const text = (s: string, o: { font?: string; size?: number; color?: string; gap?: number } = {}) => {
    doc.font(o.font ?? FONT).fontSize(o.size ?? 9.5).fillColor(o.color ?? '#000');
    ensure(doc, doc.heightOfString(s, { width }));
    doc.text(s, MARGIN, doc.y, { width });
    doc.moveDown(o.gap ?? 0.5);
  };

  const block = (b: Block) => {
    switch (b.kind) {
      case 'heading':
        ensure(doc, 60);
        text(b.text, { font: BOLD, size: b.level === 1 ? 16 : b.level === 2 ? 13 : 11, gap: 0.3 });
        return;
      case 'paragraph':
        return text(plain(b.text), { size: b.muted ? 8 : 9.5, color: b.muted ? '#444' : '#000' });
      case 'lines':
        return text(b.lines.map(plain).join('\n'), { size: b.muted ? 8 : 9.5, color: b.muted ? '#444' : '#000' });
      case 'list':
        if (b.title) text(b.title, { font: BOLD, gap: 0.2 });
        for (const item of b.items) text(`•  ${plain(item)}`, { gap: 0.25 });
        doc.moveDown(0.3);
        return;
      case 'note':
        text(b.title, { font: BOLD, gap: 0.2 });
        for (const item of b.items) text(`•  ${plain(item)}`, { size: 8.5, gap: 0.25 });
        doc.moveDown(0.3);
        return;
      case 'command':
        return text(b.text, { size: 8, color: '#222' });
      case 'table':
        return drawTable(doc, b.table);
      case 'figures':
        for (const c of b.charts) {
          const svg = opts.svgOf(c.name);
          if (!svg) continue;
          doc.addPage();
          exhibit++;
          exhibitOf[doc.bufferedPageRange().count - 1] = exhibit;
          text(`Exhibit ${exhibit}. ${exhibitTitle(c)}`, { font: BOLD, size: 12, gap: 0.4 });
          const [w, h] = svgSize(svg);
          const room = bottom(doc) - doc.y;
          const scale = Math.min(width / w, room / h);
          SVGtoPDF(doc, pdfSafeSvg(svg), MARGIN, doc.y, { width: w * scale, height: h * scale, preserveAspectRatio: 'xMinYMin meet', assumePt: true });
          doc.font(FONT);
          doc.y += h * scale;
        }
        return;
      case 'interactive-hint':
        return;
    }
  };
  for (const b of d.blocks) block(b);

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const keep = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const label = [exhibitOf[i] ? `Exhibit ${exhibitOf[i]}` : '', `page ${i + 1} of ${range.count}`, opts.footer].filter(Boolean).join('   |   ');
    doc.font(FONT).fontSize(7.5).fillColor('#444').text(label, MARGIN, doc.page.height - MARGIN + 10, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = keep;
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
