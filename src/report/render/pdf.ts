/**
 * A Document as a PDF for filing (US Letter, fonts embedded): one more renderer of the same blocks
 * as Markdown and HTML. Every chart is an exhibit of its own, numbered, on a page of its own, drawn
 * as vectors from the SVG the report folder holds; tables are real tables whose rows never split
 * across pages and whose header repeats on every page; every page carries a footer with its
 * exhibit number, "page k of m" and the scenario's SHA-256 prefix. The file is byte-reproducible:
 * pdfkit's document id is a hash of the info dictionary, whose dates are fixed here.
 */
import type PDFDocument from 'pdfkit';
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
  /** A header on every page but the first (the case caption), if any. */
  header?: string;
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
  const longestWord = (c: string) => Math.max(0, ...c.split(/\s+/).map((w) => doc.widthOfString(w)));
  // No column narrower than its longest word (a header broken inside a word cannot be read).
  const least = t.head.map((h, i) => Math.max(longestWord(h) * 1.1, ...t.rows.map((r) => longestWord(r[i] ?? ''))) + 8);
  const want = t.head.map((h, i) => Math.min(180, Math.max(36, least[i], doc.widthOfString(h) * 0.6, ...t.rows.map((r) => doc.widthOfString(r[i] ?? '') + 8))));
  const total = want.reduce((a, b) => a + b, 0);
  const widths = want.map((w) => (w / total) * width);
  // Raise each column to its least width (at most twice an equal share), taking the room from the columns above theirs.
  const floor = least.map((l) => Math.min(l, (2 * width) / t.head.length));
  const extra = widths.reduce((a, w, i) => a + Math.max(0, floor[i] - w), 0);
  const room = widths.reduce((a, w, i) => a + Math.max(0, w - floor[i]), 0);
  if (extra > 0 && room > 0) return widths.map((w, i) => (w < floor[i] ? floor[i] : w - (w - floor[i]) * Math.min(1, extra / room)));
  return widths;
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
  // Loaded by the first PDF written: a command that writes none starts without them.
  const [{ default: PDFDocument }, { default: SVGtoPDF }] = await Promise.all([import('pdfkit'), import('svg-to-pdfkit')]);
  const doc = new PDFDocument({ size: 'LETTER', margin: MARGIN, bufferPages: true, info: { Title: d.title, Producer: 'accessgap', Creator: 'accessgap', CreationDate: FIXED_DATE, ModDate: FIXED_DATE } });
  doc.registerFont(FONT, FONT_FILES[0]);
  doc.registerFont(BOLD, FONT_FILES[1]);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  const width = doc.page.width - 2 * MARGIN;
  /** The exhibit each page shows, by page index (none on the report's other pages): the exhibit under way when the page began. */
  const exhibitOf: (number | undefined)[] = [];
  let exhibit = 0;
  let current: number | undefined;
  /** Where the cover lists each exhibit, for its page number once the pages are known; and each exhibit's first page. */
  const contentsAt: { page: number; y: number; n: number }[] = [];
  const firstPage = new Map<number, number>();
  doc.on('pageAdded', () => (exhibitOf[doc.bufferedPageRange().count - 1] = current));
  /** Exhibit n on a new page, its title at the top. */
  const startExhibit = (n: number, title: string) => {
    current = n;
    doc.addPage();
    firstPage.set(n, doc.bufferedPageRange().count - 1);
    text(`Exhibit ${n}. ${title}`, { font: BOLD, size: 12, gap: 0.4 });
  };
  /** A chart's SVG as vectors, filling the width or the rest of the page. */
  const drawChart = (svg: string) => {
    const [w, h] = svgSize(svg);
    const room = bottom(doc) - doc.y;
    const scale = Math.min(width / w, room / h);
    SVGtoPDF(doc, pdfSafeSvg(svg), MARGIN, doc.y, { width: w * scale, height: h * scale, preserveAspectRatio: 'xMinYMin meet', assumePt: true });
    doc.font(FONT);
    doc.y += h * scale;
  };

  const text = (s: string, o: { font?: string; size?: number; color?: string; gap?: number; indent?: number; right?: number } = {}) => {
    const [x, w] = [MARGIN + (o.indent ?? 0), width - (o.indent ?? 0) - (o.right ?? 0)];
    doc.font(o.font ?? FONT).fontSize(o.size ?? 9.5).fillColor(o.color ?? '#000');
    ensure(doc, doc.heightOfString(s, { width: w }));
    doc.text(s, x, doc.y, { width: w });
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
          startExhibit(++exhibit, exhibitTitle(c));
          drawChart(svg);
        }
        current = undefined;
        return;
      case 'exhibit':
        exhibit = b.n;
        startExhibit(b.n, b.title);
        return;
      case 'chart': {
        const svg = opts.svgOf(b.chart.name);
        if (!svg) return;
        // On this page if it fits at two thirds of the width or more, else on the next.
        const [w, h] = svgSize(svg);
        if (Math.min(width / w, (bottom(doc) - doc.y) / h) < (2 / 3) * (width / w)) doc.addPage();
        drawChart(svg);
        doc.moveDown(0.5);
        return;
      }
      case 'cover':
        doc.moveDown(2);
        text(b.title, { font: BOLD, size: 18, gap: 1 });
        for (const [k, v] of b.fields) {
          const y = doc.y;
          doc.font(BOLD).fontSize(9.5).fillColor('#000').text(`${k}:`, MARGIN, y, { width: 100 });
          doc.y = y;
          text(v, { size: 9.5, gap: 0.3, indent: 100 });
        }
        if (b.note) (doc.moveDown(0.5), text(b.note, { size: 8, color: '#444' }));
        doc.moveDown(0.8);
        text('Contents', { font: BOLD, size: 11, gap: 0.3 });
        for (const [n, t] of b.contents) {
          contentsAt.push({ page: doc.bufferedPageRange().count - 1, y: doc.y, n: Number(n) });
          // Room on the right for the page number.
          text(t, { size: 9.5, gap: 0.1, right: 60 });
        }
        return;
      case 'interactive-hint':
        return;
    }
  };
  for (const b of d.blocks) block(b);

  const range = doc.bufferedPageRange();
  for (const { page, y, n } of contentsAt) {
    if (!firstPage.has(n)) continue;
    doc.switchToPage(page);
    doc.font(FONT).fontSize(9.5).fillColor('#000').text(`page ${firstPage.get(n)! + 1}`, MARGIN, y, { width, align: 'right', lineBreak: false });
  }
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const keep = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const label = [exhibitOf[i] ? `Exhibit ${exhibitOf[i]}` : '', `page ${i + 1} of ${range.count}`, opts.footer].filter(Boolean).join('   |   ');
    doc.font(FONT).fontSize(7.5).fillColor('#444').text(label, MARGIN, doc.page.height - MARGIN + 10, { width, align: 'center', lineBreak: false });
    if (opts.header && i > range.start) {
      const keepTop = doc.page.margins.top;
      doc.page.margins.top = 0;
      doc.font(FONT).fontSize(7.5).fillColor('#444').text(opts.header, MARGIN, MARGIN - 24, { width, align: 'center', lineBreak: false });
      doc.page.margins.top = keepTop;
    }
    doc.page.margins.bottom = keep;
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
