/** A Document as Markdown (summary.md): each block, then a blank line. */
import type { Block, Document, Table } from '../document.js';

export const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export const markdownTable = (t: Table, code: number[] = []) => [
  `| ${t.head.join(' | ')} |`,
  `|${t.head.map(() => '---').join('|')}|`,
  ...t.rows.map((r) => `| ${r.map((c, i) => (code.includes(i) ? `\`${c}\`` : esc(c))).join(' | ')} |`),
];

function lines(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
      return [`${'#'.repeat(b.level)} ${esc(b.text)}`];
    case 'paragraph':
    case 'command':
      return [b.text];
    case 'lines':
      return b.lines;
    case 'list':
      return b.items.map((l) => `- ${esc(l)}`);
    case 'table':
      return markdownTable(b.table, b.code);
    case 'figures':
      return b.charts.flatMap((c, i) => [...(i ? [''] : []), `![${esc(c.title)}](charts/${c.name}.png)`]);
    case 'note':
      return [`**${b.title}**`, '', ...b.items.map((w) => `- ${esc(w)}`)];
    case 'interactive-hint':
      return [];
    case 'cover':
      return [`# ${esc(b.title)}`, '', ...b.fields.map(([k, v]) => `- ${esc(k)}: ${esc(v)}`), '', ...b.contents.map(([n, t]) => `${n}. ${esc(t)}`)];
    case 'exhibit':
      return [`## Exhibit ${b.n}. ${esc(b.title)}`];
    case 'chart':
      return [`![${esc(b.chart.title)}](charts/${b.chart.name}.png)`];
  }
}

export function renderMarkdown(doc: Document): string {
  return doc.blocks
    .map(lines)
    .filter((l) => l.length > 0)
    .flatMap((l) => [...l, ''])
    .join('\n');
}
