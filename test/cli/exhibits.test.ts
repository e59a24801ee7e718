/**
 * accessgap exhibits: the run's folder plus exhibits.pdf. The PDF is read back with poppler's
 * pdfinfo and pdftotext (.ci/run installs poppler-utils; elsewhere the test is skipped without it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/format.js';
import { runCli, tempDir, toYaml, uncertainDoc } from '../helpers.js';
import { writeFileSync } from 'node:fs';
import { unzipSync } from 'fflate';

const POPPLER = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfinfo');
if (!POPPLER && process.env.CI) throw new Error('pdftotext is missing: .ci/run should install poppler-utils');

describe.skipIf(!POPPLER)('accessgap exhibits', () => {
  it('writes a PDF with one numbered exhibit per chart, every policy, the headline figures and the page footer on every page', async () => {
    const dir = tempDir();
    const file = join(dir, 'firm.yaml');
    const doc = uncertainDoc();
    doc.simulation.paths = 150;
    writeFileSync(file, toYaml(doc));
    const out = join(dir, 'pack');
    const r = await runCli(['exhibits', file, '--out', out, '--threads', '1', '--quiet']);
    expect(r.code, r.err).toBe(0);
    const pdf = join(out, 'exhibits.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
    const charts = readdirSync(join(out, 'charts')).filter((f) => f.endsWith('.svg')).length;
    expect(pages).toBeGreaterThan(charts);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const prefix = summary.scenario.sha256.slice(0, 8);
    for (let k = 1; k <= pages; k++) {
      const page = execFileSync('pdftotext', ['-layout', '-f', String(k), '-l', String(k), pdf, '-'], { encoding: 'utf8' });
      expect(page, `page ${k}`).toContain(`page ${k} of ${pages}`);
      expect(page, `page ${k}`).toContain(`sha256 ${prefix}`);
    }
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    for (let n = 1; n <= charts; n++) expect(text).toContain(`Exhibit ${n}. `);
    expect(text).not.toContain(`Exhibit ${charts + 1}. `);
    for (const [name, p] of Object.entries(summary.policies) as [string, any][]) {
      expect(text).toContain(name);
      expect(text).toContain(formatMoney(p.metrics.total_harm.p50, summary.scenario.currency));
    }
    // The .docx: real Word tables, the same exhibit numbers, one 300 dpi PNG per chart.
    const word = unzipSync(readFileSync(join(out, 'exhibits.docx')));
    const xml = new TextDecoder().decode(word['word/document.xml']);
    expect((xml.match(/<w:tbl>/g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect(xml).toContain('<w:tblHeader/>');
    for (let n = 1; n <= charts; n++) expect(xml).toContain(`Exhibit ${n}. `);
    const media = Object.keys(word).filter((f) => f.startsWith('word/media/'));
    expect(media).toHaveLength(charts);
    for (const f of media) expect(new DataView(word[f].buffer, word[f].byteOffset).getUint32(16)).toBeGreaterThanOrEqual(1950); // PNG width: 6.5 in at 300 dpi
    for (const [name] of Object.entries(summary.policies)) expect(xml).toContain(name);
    // The folder holds the run's files too, and verify reproduces the PDF and the .docx byte for byte.
    expect(existsSync(join(out, 'summary.md'))).toBe(true);
    const v = await runCli(['verify', out, '--threads', '2']);
    expect(v.code, v.err).toBe(0);
    // From the finished folder, without simulating: the same document, the same bytes.
    const again = join(dir, 'from-folder');
    const f = await runCli(['exhibits', out, '--out', again]);
    expect(f.code, f.err).toBe(0);
    expect(f.out).toContain(`Exhibit pack of ${out}: ${again}/`);
    for (const name of ['exhibits.pdf', 'exhibits.docx']) expect(readFileSync(join(again, name)).equals(readFileSync(join(out, name))), name).toBe(true);
    const notReport = await runCli(['exhibits', dir, '--out', join(dir, 'nothing')]);
    expect(notReport.code).toBe(2);
    expect(notReport.err).toMatch(/expected a report folder written by accessgap run \(with summary\.json\), found none/);
    expect(existsSync(join(dir, 'nothing'))).toBe(false);
    const files = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).files;
    expect(files['exhibits.pdf']).toMatch(/^[0-9a-f]{64}$/);
    expect(files['exhibits.docx']).toMatch(/^[0-9a-f]{64}$/);
  });
});
