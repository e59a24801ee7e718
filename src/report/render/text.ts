/** A Document as the plain text a command prints: blocks apart by a blank line, tables in aligned columns. */
import type { Block, Document, Table } from '../document.js';

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

export function alignedTable(t: Table): string[] {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i])).join('  ').trimEnd();
  return [line(t.head), line(widths.map((w) => '-'.repeat(w))), ...t.rows.map(line)];
}

function lines(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
    case 'paragraph':
    case 'command':
      return [b.text];
    case 'lines':
      return b.lines;
    case 'list':
      return [...(b.title ? [b.title] : []), ...b.items.map((l) => `  ${l}`)];
    case 'table':
      return alignedTable(b.table);
    case 'note':
      return [`${b.title}:`, ...b.items.map((w) => `  - ${w}`)];
    case 'figures':
    case 'chart':
    case 'interactive-hint':
      return [];
    case 'cover':
      return [b.title, ...b.fields.map(([k, v]) => `${k}: ${v}`)];
    case 'exhibit':
      return [`Exhibit ${b.n}. ${b.title}`];
  }
}

export function renderText(doc: Document): string {
  return doc.blocks
    .map(lines)
    .filter((l) => l.length > 0)
    .map((l) => l.join('\n'))
    .join('\n\n');
}
