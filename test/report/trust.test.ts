/**
 * What a new user relies on without checking: the report folder keeps the scenario as run, names
 * the engine and the machine, lists every value of the file and the staff, shows its charts
 * without JavaScript, and the sensitivity analysis says only what its intervals support.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyCanRead, separatedLeaders, sobolWarnings, type SensitivityJson } from '../../src/analysis/sensitivity.js';
import { scenarioWarnings } from '../../src/model/warnings.js';
import { formatShare } from '../../src/format.js';
import { assumptionRows } from '../../src/report/assumptions.js';
import { finishTiming, peakRssMb, timingJson } from '../../src/report/timing.js';
import { baseScenario, loadDoc, runCli, tempDir, toYaml, uncertainDoc } from '../helpers.js';

describe('a run folder a litigator can trust', () => {
  const dir = tempDir();
  const file = join(dir, 'firm.yaml');
  const out = join(dir, 'report');
  let ran: Promise<{ code: number; err: string }> | undefined;
  const run = () => {
    ran ??= (async () => {
      const doc = uncertainDoc();
      doc.simulation.paths = 120;
      writeFileSync(file, `# a comment the copy keeps\n${toYaml(doc)}`);
      return runCli(['run', file, '--out', out, '--threads', '1', '--quiet']);
    })();
    return ran;
  };

  it('holds a copy of the scenario file that hashes to the recorded SHA-256', async () => {
    expect((await run()).code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const copy = readFileSync(join(out, 'scenario.yaml'));
    expect(createHash('sha256').update(copy).digest('hex')).toBe(summary.scenario.sha256);
    expect(copy.equals(readFileSync(file))).toBe(true);
    expect(readFileSync(join(out, '.accessgap-files.json'), 'utf8')).toContain('"scenario.yaml"');
  });

  it('names Node, the platform and the engine as installed (with its commit in a checkout) in timing.json only', async () => {
    expect((await run()).code).toBe(0);
    const timing = JSON.parse(readFileSync(join(out, 'timing.json'), 'utf8'));
    expect(timing.node).toBe(process.version);
    expect(timing.platform).toBe(`${process.platform}-${process.arch}`);
    expect(timing.engine.version).toMatch(/^\d+\.\d+\.\d+/);
    if (existsSync('.git')) expect(timing.engine.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).not.toContain(process.version);
    expect(timing.peak_rss_mb).toBeGreaterThan(0);
  });

  it("gives in timing.json the process's peak memory once every file is built, not when the timing was first written", () => {
    const first = timingJson({ threads: 2, simulate_seconds: 3.5, wall_seconds: 9, peak_rss_mb: 1 });
    const files = new Map<string, string | Uint8Array>([['timing.json', first]]);
    // The charts and documents come after timing.json is first written, and take memory of their own.
    const held = new Float64Array(64 * 2 ** 17).fill(1);
    const before = peakRssMb();
    finishTiming(files);
    const [was, now] = [JSON.parse(first), JSON.parse(files.get('timing.json') as string)];
    expect(held[held.length - 1]).toBe(1);
    expect(now.peak_rss_mb).toBeGreaterThanOrEqual(before);
    expect(before).toBeGreaterThan(64);
    expect(Object.keys(now)).toEqual(Object.keys(was));
    expect({ ...now, peak_rss_mb: 1, cpu_seconds: 0 }).toEqual({ ...was, cpu_seconds: 0 });
  });

  it('lists every value of the file, settings included, and a staff table with who each policy cuts off', async () => {
    expect((await run()).code).toBe(0);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('| `firm.financing.max_rounds` | 2 |');
    expect(md).toContain('| `policies.licence.license.approval_probability` | 0.5 |');
    expect(md).toContain('| `policies.blanket-unmitigated.mitigate` | false |');
    expect(md).toMatch(/\| segment \| headcount \| nationality \| location \| US person \| cut off by \|/);
    expect(md).toMatch(/\| us \| 4 \| US \| US \| no \| shutoff, what-happened \|/);
    expect(md).toMatch(/\| cn \| 2 \| CN \| CN \| no \| shutoff, blanket, concern, licence, what-happened, blanket-unmitigated, location \|/);
  });

  it('puts a static SVG in report.html for every chart, outside any script', async () => {
    expect((await run()).code).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const body = html.replace(/<script[\s\S]*?<\/script>/g, '');
    const figures = body.match(/<figure>[\s\S]*?<\/figure>/g) ?? [];
    expect(figures.length).toBeGreaterThanOrEqual(10);
    for (const f of figures) expect(f).toMatch(/<div class="static"[^>]*><svg[\s\S]*<\/svg><\/div>/);
    expect(html).toMatch(/@media print \{[^}]*body/);
    expect(html).toContain('figure { break-before: page; break-inside: avoid; }');
  });

  it('every value of the file appears once in the assumptions rows, each with its comment', async () => {
    const text = `${toYaml(uncertainDoc()).replace('max_rounds: 2', 'max_rounds: 2 # JUDGMENT: two rounds at most')}`;
    const loaded = await loadDoc(text);
    const rows = assumptionRows(loaded.scenario);
    const keys = rows.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.find((r) => r.key === 'firm.financing.max_rounds')?.basis).toBe('JUDGMENT: two rounds at most');
    // Inputs (drawn per path) keep one row each; staff and policy rules have tables of their own.
    expect(keys).toContain('firm.cash');
    expect(keys.some((k) => /^staff\[\d+\]\.(name|headcount|nationality|location|us_person)$/.test(k))).toBe(false);
    expect(keys.some((k) => /\.restrict/.test(k))).toBe(false);
  });
});

describe('warnings a new user meets', () => {
  it('a phase longer than the horizon warns, naming the key', async () => {
    const doc = baseScenario();
    doc.policies.phased = { phases: [{ restrict: { everyone: true }, days: 200 }, { restrict: { nationality_not_in: ['US'] } }] };
    const w = scenarioWarnings((await loadDoc(doc)).scenario).join('\n');
    expect(w).toMatch(/^policies\.phased\.phases\[0\]\.days: the phase lasts 200 days, as long as the horizon from the revocation .*phase 2 then never starts within the horizon/m);
    doc.policies.phased.phases[0].days = 30;
    expect(scenarioWarnings((await loadDoc(doc)).scenario).join('\n')).not.toMatch(/phases\[0\]\.days/);
  });

  it('a small share reads "fewer than 0.1%", never "0.0%"', () => {
    expect(formatShare(0.0004)).toBe('fewer than 0.1%');
    expect(formatShare(0)).toBe('0.0%');
    expect(formatShare(0.0123)).toBe('1.2%');
  });
});

describe('sensitivity statements the estimates support', () => {
  it("leave a licence's inputs out of other policies' rows, and mitigation's out of a policy that does not mitigate", async () => {
    const s = (await loadDoc(uncertainDoc())).scenario;
    expect(policyCanRead(s, 'licence', 'policies.licence.license.processing_days')).toBe(true);
    expect(policyCanRead(s, 'blanket', 'policies.licence.license.processing_days')).toBe(false);
    expect(policyCanRead(s, 'blanket', 'policies.what-happened.phases[0].days')).toBe(false);
    expect(policyCanRead(s, 'what-happened', 'policies.what-happened.phases[0].days')).toBe(true);
    expect(policyCanRead(s, 'blanket-unmitigated', 'mitigation.relocation.share')).toBe(false);
    expect(policyCanRead(s, 'blanket', 'mitigation.relocation.share')).toBe(true);
    expect(policyCanRead(s, 'blanket', 'firm.cash')).toBe(true);
  });

  it('rank inputs only where their intervals separate them from the rest', () => {
    const iv = (r: [number, number]) => r;
    expect(separatedLeaders<[number, number]>([[10, 12], [5, 7], [4, 6]], iv)).toBe(1);
    // The first two overlap each other but stand apart from the third: a group of two.
    expect(separatedLeaders<[number, number]>([[9, 12], [8, 11], [2, 3]], iv)).toBe(2);
    // Nothing stands apart.
    expect(separatedLeaders<[number, number]>([[5, 9], [4, 8], [3, 7], [2, 6], [1, 5]], iv)).toBe(0);
  });

  it('warn when the Sobol paths are too few: a clearly negative first-order index, or one above the total', () => {
    const row = (input: string, S1: number, S1_ci95: [number, number], ST: number) => ({ input, S1, S1_ci95, ST, ST_ci95: [ST - 0.05, ST + 0.05] as [number, number] });
    const json = (rows: ReturnType<typeof row>[]) => ({ run: { sobol_paths: 64 }, policies: { p: { base_mean: 1, sobol: rows } } }) as unknown as SensitivityJson;
    expect(sobolWarnings(json([row('a', 0.5, [0.4, 0.6], 0.6), row('b', -0.01, [-0.03, 0.01], 0.02)]))).toEqual([]);
    const [neg] = sobolWarnings(json([row('a', -0.2, [-0.5, 0.1], 0.3)]));
    expect(neg).toMatch(/^p: the Sobol estimates rest on too few paths \(64 per matrix\): a has a negative first-order index \(S1 -0\.20 \[-0\.50, 0\.10\]\)/);
    expect(sobolWarnings(json([row('a', 0.9, [0.8, 1.0], 0.5)]))[0]).toMatch(/a's first-order index exceeds its total-order one/);
  });
});
