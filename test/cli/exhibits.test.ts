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
  it('writes a PDF with a cover, the findings, numbered exhibits (every chart among them), every policy, the headline figures, and header and footer on every page', async () => {
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
    const pageText = (k: number) => execFileSync('pdftotext', ['-layout', '-f', String(k), '-l', String(k), pdf, '-'], { encoding: 'utf8' });
    for (let k = 1; k <= pages; k++) {
      const page = pageText(k);
      expect(page, `page ${k}`).toContain(`page ${k} of ${pages}`);
      expect(page, `page ${k}`).toContain(`sha256 ${prefix}`);
      // The case caption heads every page after the cover; without an exhibit block, plainly a placeholder.
      if (k > 1) expect(page.trimStart().startsWith('[case caption]'), `page ${k}`).toBe(true);
    }
    // The cover lists the exhibits with the page each starts on; each starts there with its number and title.
    const cover = pageText(1);
    expect(cover).toMatch(/Fields in \[brackets\] are placeholders/);
    const contents = [...cover.matchAll(/Exhibit (\d+)\. (.+?)\s+page (\d+)/g)].map((m) => ({ n: Number(m[1]), title: m[2].trim(), page: Number(m[3]) }));
    expect(contents.map((c) => c.n)).toEqual(contents.map((_, i) => i + 1));
    expect(contents.length).toBeGreaterThanOrEqual(15);
    for (const c of contents) expect(pageText(c.page), `exhibit ${c.n}`).toContain(`Exhibit ${c.n}. ${c.title.slice(0, 30)}`);
    expect(contents.map((c) => c.title)).toEqual(expect.arrayContaining(['Summary of findings', 'Harm avoided by restoring access on each date, given the facts at filing', 'Harm by component, and whether money can repair it', 'Time to insolvency', 'What drives the harm: sensitivity of total_harm', 'Assumptions', 'Method', 'Reproducing these numbers']));
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    // Exhibit 1: each policy that happened, led by its median and 5th-95th percentile range, as summary.json has them.
    const money = (x: number) => formatMoney(x, summary.scenario.currency);
    for (const [name, p] of Object.entries(summary.policies) as [string, any][]) {
      expect(text).toContain(name);
      expect(text).toContain(money(p.metrics.total_harm.p50));
      if (p.status !== 'hypothetical' && p.metrics.total_harm.max > 0) expect(text).toContain(`${name}: the median harm is ${money(p.metrics.total_harm.p50)}; on 90% of paths it lies between ${money(p.metrics.total_harm.p05)} and ${money(p.metrics.total_harm.p95)}.`);
    }
    expect(text).toMatch(/its precision, not the uncertainty of the harm/);
    // The injunction table's numbers as CSV: a baseline row and a row per restore day, per policy.
    const csv = readFileSync(join(out, 'injunction.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^policy,restored,date,day,duration_days,harm_mean,/);
    // For the policies that happened (no status here: every compared one).
    expect(csv.length).toBe(1 + Object.keys(summary.policies).length * 6);
    // The tornado of the same policies, on the run's paths (fewer than 1,000 here): its numbers and one chart per policy.
    const sens = JSON.parse(readFileSync(join(out, 'sensitivity.json'), 'utf8'));
    expect(Object.keys(sens.policies)).toEqual(Object.keys(summary.policies));
    expect(sens.run.paths).toBe(150);
    expect(readFileSync(join(out, 'tornado.csv'), 'utf8').split('\n')[0]).toMatch(/^policy,metric,input,low_value,high_value,/);
    for (const policy of Object.keys(summary.policies)) expect(existsSync(join(out, 'charts', `tornado-${policy}.svg`))).toBe(true);
    expect(text).toContain('Reproduce: npx accessgap sensitivity');
    // The .docx: real Word tables, the same exhibit numbers, one 300 dpi PNG per chart.
    const word = unzipSync(readFileSync(join(out, 'exhibits.docx')));
    const xml = new TextDecoder().decode(word['word/document.xml']);
    expect((xml.match(/<w:tbl>/g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect(xml).toContain('<w:tblHeader/>');
    for (const c of contents) expect(xml).toContain(`Exhibit ${c.n}. `);
    expect(new TextDecoder().decode(word['word/header1.xml'])).toContain('[case caption]');
    const media = Object.keys(word).filter((f) => f.startsWith('word/media/'));
    expect(media).toHaveLength(charts);
    expect(charts).toBe(readdirSync(join(out, 'charts')).filter((f) => f.endsWith('.svg')).length);
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
    for (const name of ['exhibits.pdf', 'exhibits.docx', 'injunction.csv', 'tornado.csv', 'sensitivity.json']) expect(readFileSync(join(again, name)).equals(readFileSync(join(out, name))), name).toBe(true);
    // And from the folder of a plain run of the same scenario, seed and paths.
    const runDir = join(dir, 'run');
    expect((await runCli(['run', file, '--out', runDir, '--threads', '2', '--quiet'])).code).toBe(0);
    const fromRun = join(dir, 'from-run');
    expect((await runCli(['exhibits', runDir, '--out', fromRun, '--quiet'])).code).toBe(0);
    for (const name of ['exhibits.pdf', 'exhibits.docx']) expect(readFileSync(join(fromRun, name)).equals(readFileSync(join(out, name))), `${name} from a run's folder`).toBe(true);
    const notReport = await runCli(['exhibits', dir, '--out', join(dir, 'nothing')]);
    expect(notReport.code).toBe(2);
    expect(notReport.err).toMatch(/expected a report folder written by accessgap run \(with summary\.json\), found none/);
    expect(existsSync(join(dir, 'nothing'))).toBe(false);
    const files = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).files;
    expect(files['exhibits.pdf']).toMatch(/^[0-9a-f]{64}$/);
    expect(files['exhibits.docx']).toMatch(/^[0-9a-f]{64}$/);
    // Four packs (the run's, verify's, from the pack's folder and from a run's folder), each with its own studies: minutes on a busy CI machine.
  }, 240_000);
});
