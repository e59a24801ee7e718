/**
 * A Document as an editable Word file (.docx), for an expert to paste into a report: headings,
 * paragraphs, lists, real Word tables (header rows repeat on each page, rows never split) and
 * every chart as a numbered exhibit with its PNG at 300 dpi, numbered as in the PDF. The file is
 * byte-reproducible: the package's creation dates are pinned, drawing ids numbered afresh, and the
 * zip is written again with fixed entry times.
 */
import type * as Docx from 'docx';
import { unzipSync, zipSync } from 'fflate';
import type { Block, Document, Table } from '../document.js';
import type { Chart } from '../../charts/specs.js';
import { exhibitTitle } from './pdf.js';

/** docx, loaded by the first Word file written (a command that writes none starts without it). */
let docx: typeof Docx;

export interface DocxOptions {
  /** Each chart's PNG at 300 dpi or better for its printed width, and its pixel size. */
  pngOf: (name: string) => { png: Uint8Array; width: number; height: number } | undefined;
  /** A header on every page (the case caption), if any. */
  header?: string;
}

const FONT = 'DejaVu Sans';
/** The printed width of a chart: 6.5 inches (US Letter less one-inch margins), in the 96-per-inch pixels docx sizes images in. */
const IMAGE_WIDTH_PX = 6.5 * 96;
const FIXED = '2026-01-01T00:00:00Z';
const FIXED_MTIME = new Date(Date.UTC(2026, 0, 1));

const plain = (s: string) => s.replace(/`([^`]+)`/g, '$1');
const run = (text: string, o: { bold?: boolean; size?: number; color?: string } = {}) => new docx.TextRun({ text, font: FONT, bold: o.bold, size: o.size ?? 19, color: o.color });

function table(t: Table): Docx.Table {
  const border = { style: docx.BorderStyle.SINGLE, size: 2, color: '999999' };
  const cell = (text: string, head: boolean) =>
    new docx.TableCell({
      children: [new docx.Paragraph({ children: [run(text, { bold: head, size: 15 })] })],
      borders: { top: border, bottom: border, left: border, right: border },
      ...(head ? { shading: { type: docx.ShadingType.CLEAR, color: 'auto', fill: 'EEEEEE' } } : {}),
    });
  return new docx.Table({
    width: { size: 100, type: docx.WidthType.PERCENTAGE },
    rows: [new docx.TableRow({ tableHeader: true, cantSplit: true, children: t.head.map((h) => cell(h, true)) }), ...t.rows.map((r) => new docx.TableRow({ cantSplit: true, children: r.map((c) => cell(c, false)) }))],
  });
}

export async function renderDocx(d: Document, opts: DocxOptions): Promise<Uint8Array> {
  docx ??= await import('docx');
  const children: (Docx.Paragraph | Docx.Table)[] = [];
  let exhibit = 0;
  const para = (text: string, o: { bold?: boolean; size?: number; color?: string } = {}) => children.push(new docx.Paragraph({ spacing: { after: 120 }, children: [run(text, o)] }));
  /** Exhibit n on a new page. */
  const exhibitPage = (n: number, title: string) => children.push(new docx.Paragraph({ pageBreakBefore: true, children: [run(`Exhibit ${n}. ${title}`, { bold: true, size: 24 })] }));
  /** A chart's PNG at the printed width. */
  const chartImage = (chart: Chart, title: string) => {
    const image = opts.pngOf(chart.name);
    if (!image) return;
    const h = (IMAGE_WIDTH_PX * image.height) / image.width;
    children.push(new docx.Paragraph({ alignment: docx.AlignmentType.LEFT, children: [new docx.ImageRun({ type: 'png', data: image.png, transformation: { width: IMAGE_WIDTH_PX, height: h }, altText: { name: chart.name, title, description: title } })] }));
  };
  const block = (b: Block) => {
    switch (b.kind) {
      case 'heading':
        return children.push(new docx.Paragraph({ heading: b.level === 1 ? docx.HeadingLevel.HEADING_1 : b.level === 2 ? docx.HeadingLevel.HEADING_2 : docx.HeadingLevel.HEADING_3, children: [run(b.text, { bold: true, size: b.level === 1 ? 32 : b.level === 2 ? 26 : 22 })] }));
      case 'paragraph':
        return para(plain(b.text), b.muted ? { size: 16, color: '444444' } : {});
      case 'lines':
        return children.push(new docx.Paragraph({ spacing: { after: 120 }, children: b.lines.map((l, i) => new docx.TextRun({ text: plain(l), font: FONT, size: b.muted ? 16 : 19, break: i > 0 ? 1 : 0 })) }));
      case 'list':
      case 'note':
        if (b.title) para(b.title, { bold: true });
        for (const item of b.items) children.push(new docx.Paragraph({ bullet: { level: 0 }, children: [run(plain(item))] }));
        return;
      case 'command':
        return para(b.text, { size: 16 });
      case 'table':
        children.push(table(b.table));
        return para('');
      case 'figures':
        for (const c of b.charts) if (opts.pngOf(c.name)) (exhibitPage(++exhibit, exhibitTitle(c)), chartImage(c, exhibitTitle(c)));
        return;
      case 'exhibit':
        exhibit = b.n;
        return exhibitPage(b.n, b.title);
      case 'chart':
        return chartImage(b.chart, exhibitTitle(b.chart));
      case 'cover':
        children.push(new docx.Paragraph({ spacing: { before: 1200, after: 480 }, children: [run(b.title, { bold: true, size: 40 })] }));
        for (const [k, v] of b.fields) children.push(new docx.Paragraph({ spacing: { after: 80 }, children: [run(`${k}: `, { bold: true, size: 20 }), run(v, { size: 20 })] }));
        children.push(new docx.Paragraph({ spacing: { before: 360, after: 120 }, children: [run('Contents', { bold: true, size: 22 })] }));
        for (const [n, t] of b.contents) children.push(new docx.Paragraph({ spacing: { after: 40 }, children: [run(`${n}.  ${t}`)] }));
        if (b.note) para(b.note, { size: 16, color: '444444' });
        return;
      case 'interactive-hint':
        return;
    }
  };
  for (const b of d.blocks) block(b);
  const word = new docx.Document({ creator: 'accessgap', title: d.title, description: d.title, sections: [{ properties: { page: { size: { width: 12240, height: 15840 }, margin: { top: 1440, bottom: 1440, left: 1440, right: 1440 } } }, ...(opts.header ? { headers: { default: new docx.Header({ children: [new docx.Paragraph({ alignment: docx.AlignmentType.CENTER, children: [run(opts.header, { size: 15, color: '444444' })] })] }) } } : {}), children }] });
  return pinned(new Uint8Array(await docx.Packer.toBuffer(word)));
}

/** The .docx with its creation dates pinned and its zip entries written again with a fixed time. */
function pinned(bytes: Uint8Array): Uint8Array {
  const entries = unzipSync(bytes);
  const core = entries['docProps/core.xml'];
  if (core) {
    const xml = new TextDecoder().decode(core).replace(/(<dcterms:(created|modified)[^>]*>)[^<]*(<\/dcterms:\2>)/g, `$1${FIXED}$3`);
    entries['docProps/core.xml'] = new TextEncoder().encode(xml);
  }
  // The drawing ids count up over the process's life in docx: number them afresh, in document order.
  const body = entries['word/document.xml'];
  if (body) {
    let id = 0;
    entries['word/document.xml'] = new TextEncoder().encode(new TextDecoder().decode(body).replace(/<wp:docPr id="\d+"/g, () => `<wp:docPr id="${++id}"`));
  }
  const names = Object.keys(entries).sort();
  return zipSync(Object.fromEntries(names.map((n) => [n, [entries[n], { mtime: FIXED_MTIME }]])), { level: 6 });
}
