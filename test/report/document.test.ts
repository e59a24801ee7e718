/**
 * One document, several renderers: summary.md, report.html and the printed text say the same
 * things, because each command builds its document once.
 */
import { describe, expect, it } from 'vitest';
import type { Document } from '../../src/report/document.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { renderHtml } from '../../src/report/render/html.js';
import { renderText } from '../../src/report/render/text.js';
import { sensitivityDocument } from '../../src/report/sensitivity.js';
import type { SensitivityJson } from '../../src/analysis/sensitivity.js';

const doc: Document = {
  title: 'T',
  blocks: [
    { kind: 'heading', level: 1, text: 'Title | with a bar' },
    { kind: 'paragraph', text: 'See `sweep.json` & more.', muted: true },
    { kind: 'note', title: 'Warnings', items: ['w <1>'] },
    { kind: 'table', table: { head: ['a', 'bb'], rows: [['1', '22'], ['333', '4']] }, className: 'results', code: [0] },
    { kind: 'list', title: 'Who:', items: ['x', 'y'] },
    { kind: 'lines', lines: ['one', 'two'] },
    { kind: 'command', text: 'npx accessgap run s.yaml --paths 10' },
    { kind: 'interactive-hint', text: 'Hover.' },
  ],
};

describe('renderers of one document', () => {
  it('write Markdown: escaped headings and cells, code columns, a blank line after every block', () => {
    expect(renderMarkdown(doc)).toBe(
      ['# Title \\| with a bar', '', 'See `sweep.json` & more.', '', '**Warnings**', '', '- w <1>', '', '| a | bb |', '|---|---|', '| `1` | 22 |', '| `333` | 4 |', '', '- x', '- y', '', 'one', 'two', '', 'npx accessgap run s.yaml --paths 10', ''].join('\n'),
    );
  });

  it('write HTML: escaped text, code spans, classed tables, the hint only here', () => {
    const html = renderHtml(doc);
    const body = html.slice(html.indexOf('<body>'));
    expect(body).toContain('<h1>Title | with a bar</h1>');
    expect(body).toContain('<p class="muted">See <code>sweep.json</code> &amp; more.</p>');
    expect(body).toContain('<div class="warnings"><strong>Warnings</strong><ul><li>w &lt;1&gt;</li></ul></div>');
    expect(body).toContain('<table class="results"><thead><tr><th>a</th><th>bb</th></tr></thead>');
    expect(body).toContain('<p>one<br>two</p>');
    expect(body).toContain('<p><code>npx accessgap run s.yaml --paths 10</code></p>');
    expect(body).toContain('<p class="muted interactive">Hover.</p>');
    expect(renderMarkdown(doc)).not.toContain('Hover.');
  });

  it('write the printed text: aligned columns, titled lists and notes', () => {
    expect(renderText(doc)).toBe(
      ['Title | with a bar', '', 'See `sweep.json` & more.', '', 'Warnings:', '  - w <1>', '', 'a    bb', '---  --', '1    22', '333  4', '', 'Who:', '  x', '  y', '', 'one', 'two', '', 'npx accessgap run s.yaml --paths 10'].join('\n'),
    );
  });

  it('give the sensitivity HTML the same table captions as its Markdown', () => {
    const json: SensitivityJson = {
      schema: 'accessgap/sensitivity@1',
      scenario: { name: 's', title: 'S', file: 's.yaml', sha256: 'x', currency: 'USD' },
      run: { seed: 1, paths: 10, version: '0', metric: 'total_harm', methods: ['tornado', 'rank'], tornado_quantiles: [0.1, 0.9], passes: 3 },
      inputs: [{ key: 'firm.cash' }],
      warnings: [],
      policies: {
        p: {
          base_mean: 100,
          tornado: [{ input: 'firm.cash', low_value: 1, high_value: 2, mean_low: 90, mean_high: 110, low_vs_base: { mean: -10, se: 1, ci95: [-12, -8] }, high_vs_base: { mean: 10, se: 1, ci95: [8, 12] }, swing: 20 }],
          rank: [{ input: 'firm.cash', spearman: 0.5, ci95: [0.3, 0.7] }],
        },
      },
    };
    const d = sensitivityDocument(json, []);
    const md = renderMarkdown(d);
    const html = renderHtml(d);
    for (const caption of ['Tornado: each input at its 10th and 90th percentile', 'Rank correlations (base run):']) {
      expect(md).toContain(caption);
      expect(html).toContain(caption);
    }
  });
});
