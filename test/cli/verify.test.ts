/** manifest.json and accessgap verify: anyone can re-run a report folder and get the same files. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultCommand } from '../../src/output/manifest.js';
import { sha256 } from '../../src/output/manifest.js';
import { baseScenario, runCli, tempDir, toYaml } from '../helpers.js';

describe('manifest.json and verify', () => {
  const dir = tempDir();
  const file = join(dir, 's.yaml');
  const doc = baseScenario();
  doc.simulation.horizon_days = 40;
  doc.firm.cash = { dist: 'uniform', min: 200_000, max: 900_000 };
  writeFileSync(file, toYaml(doc));

  it('records the command, the engine, the scenario and every file, and verify re-runs it', async () => {
    const out = join(dir, 'run');
    const r = await runCli(['run', file, '--paths', '300', '--seed', '5', '--out', out, '--threads', '2', '--quiet']);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ schema: 'accessgap/manifest@1', command: ['run', file, '--paths', '300', '--seed', '5'], node: process.version, seed: 5, paths: 300, threads: 2, scenario: { file } });
    expect(m.scenario.sha256).toBe(sha256(readFileSync(file)));
    expect(m.package_lock_sha256).toBe(sha256(readFileSync('package-lock.json')));
    for (const name of ['summary.json', 'metrics.csv', 'report.html', 'charts/revenue.png', 'scenario.yaml', 'timing.json']) expect(m.files[name]).toBe(sha256(readFileSync(join(out, name))));
    const v = await runCli(['verify', out, '--threads', '1']);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(new RegExp(`^verified: ${Object.keys(m.files).length - 1} files identical`));

    // One byte of metrics.csv changed: exit 1, naming the file.
    const csv = join(out, 'metrics.csv');
    const text = readFileSync(csv, 'utf8');
    writeFileSync(csv, text.replace(/\d(?=,)/, (d) => String((Number(d) + 1) % 10)));
    const bad = await runCli(['verify', out]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/1 file of .* not reproduced:\n {2}metrics\.csv: changed since the manifest was written/);
  });

  it('verifies a sweep folder too', async () => {
    const out = join(dir, 'sweep');
    const r = await runCli(['sweep', file, '--durations', '0,20,40', '--paths', '120', '--out', out, '--quiet']);
    expect(r.code, r.err).toBe(0);
    const v = await runCli(['verify', out]);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(/^verified: \d+ files identical/);
  });

  it('exits 2 for a missing or malformed manifest, or a scenario that is not where it says', async () => {
    const out = join(dir, 'broken');
    expect((await runCli(['run', file, '--paths', '50', '--out', out, '--quiet'])).code).toBe(0);
    const m = join(out, 'manifest.json');
    const good = readFileSync(m, 'utf8');
    writeFileSync(m, '{"schema": "accessgap/manifest@1", "command": "run"');
    const malformed = await runCli(['verify', out]);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(/manifest\.json: expected JSON/);
    writeFileSync(m, good.replaceAll(file, join(dir, 'elsewhere.yaml')));
    const moved = await runCli(['verify', out]);
    expect(moved.code).toBe(2);
    expect(moved.err).toMatch(/elsewhere\.yaml: no such file; run verify from the folder the command ran in, with the folder's copy .*scenario\.yaml/);
    rmSync(m);
    const missing = await runCli(['verify', out]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/manifest\.json: no such file/);
  });

  it('leaves out of the recorded command only the flags that change no number', () => {
    expect(resultCommand(['run', 'a.yaml', '--out', 'x', '--threads', '3', '--quiet', '--seed', '2', '--out=y', '--precision', '0.05'])).toEqual(['run', 'a.yaml', '--seed', '2', '--precision', '0.05']);
  });
});
