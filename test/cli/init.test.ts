/** accessgap init NAME: a commented starter scenario that validates without a warning and runs. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

describe('accessgap init', () => {
  it('writes NAME.yaml that validates with no warning and runs', async () => {
    const dir = tempDir();
    const file = join(dir, 'krakow-fintech.yaml');
    const init = await runCli(['init', 'krakow-fintech', '--out', file]);
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain(`npx accessgap validate ${file}`);
    const text = readFileSync(file, 'utf8');
    // Commented: a status label beside the inputs, and every distribution family a new user needs first.
    expect(text.match(/# (JUDGMENT|EST|DOC|REPORTED)/g)!.length).toBeGreaterThan(20);
    for (const d of ['pert', 'triangular', 'uniform', 'lognormal', 'beta', 'discrete', 'normal', 'mixture']) expect(text).toContain(`dist: ${d}`);
    const v = await runCli(['validate', file]);
    expect(v.code, v.err).toBe(0);
    expect(v.err).toBe('');
    const r = await runCli(['run', file, '--paths', '200', '--out', join(dir, 'report'), '--threads', '1', '--quiet']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'report', 'summary.json'), 'utf8')).scenario.name).toBe('krakow-fintech');
  });

  it('never overwrites a file and refuses a name the format does not allow, exit 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'my own notes\n');
    const again = await runCli(['init', 'mine', '--out', file]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists; init never overwrites a file/);
    expect(readFileSync(file, 'utf8')).toBe('my own notes\n');
    const bad = await runCli(['init', 'Krakow Fintech', '--out', join(dir, 'x.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/expected NAME as lower-case letters, digits and dashes .* found "Krakow Fintech"/);
    expect(existsSync(join(dir, 'x.yaml'))).toBe(false);
  });
});
