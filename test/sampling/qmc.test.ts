/**
 * simulation.sampling: qmc: scrambled Sobol points, a sequence per block of 1,024 paths. The
 * generator reproduces SciPy's unscrambled points bit for bit; scrambled, each block still puts one
 * point in every 1/1,024 of every uniform; results do not depend on the threads; the mean of a
 * smooth metric varies less across seeds than with independent draws; --precision works with it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QMC_BLOCK } from '../../src/sampling/draw.js';
import { directionNumbers, sobolPoints } from '../../src/sampling/sobol.js';
import { loadDoc, runCli, simulate, tempDir, toYaml } from '../helpers.js';
import { durationsOfBlock, meanSpread, smoothDoc } from './smooth.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const doc = smoothDoc;

describe('Sobol points', () => {
  it('unscrambled, equal SciPy 1.17 qmc.Sobol(scramble=False, bits=32) bit for bit: 256 points in dimensions 1-16, 100, 500, 1,000, 5,000 and 21,201', () => {
    const ref = JSON.parse(readFileSync('test/fixtures/sobol-reference.json', 'utf8')) as { dimensions: number[]; values: Record<string, number[]> };
    const v = directionNumbers(21_201);
    for (const d of ref.dimensions) expect(Array.from(sobolPoints([v[d - 1]], 256)[0]), `dimension ${d}`).toEqual(ref.values[String(d)]);
    expect(() => directionNumbers(21_202)).toThrow(/at most 21201 dimensions/);
  });

  it('scrambled, keep one point in each 1/1,024 of every dimension over 1,024 points, and differ with the random bits', () => {
    const v = directionNumbers(40);
    let state = 7;
    const bits = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0);
    const a = sobolPoints(v, QMC_BLOCK, bits);
    const b = sobolPoints(v, QMC_BLOCK, bits);
    for (const dim of [...a, ...b]) expect(new Set(Array.from(dim, (k) => Math.floor(k / 2 ** 22))).size).toBe(QMC_BLOCK);
    expect(Array.from(a[3].slice(0, 8))).not.toEqual(Array.from(b[3].slice(0, 8)));
    expect(Array.from(a[3].slice(0, 8))).not.toEqual(Array.from(sobolPoints(v, 8)[3]));
  });
});

describe('quasi-Monte Carlo sampling', () => {
  it('covers every whole day of a duration input within one block, and draws a path the same in any drawer', async () => {
    const { days, again } = await durationsOfBlock('qmc', QMC_BLOCK);
    expect(new Set(days).size).toBe(51);
    expect(again).toBe(days[17]);
  });

  it('reduces the spread of the mean of lost revenue across seeds at equal paths (measured: 0.064x the standard deviation; Latin hypercube 0.26x)', async () => {
    expect((await meanSpread('qmc')) / (await meanSpread('mc'))).toBeLessThan(0.25);
  });

  it('reports standard errors from the blocks as replicates, the same summary with 1 and 2 threads, and runs to a --precision', async () => {
    const loaded = await loadDoc(doc('qmc'));
    const [one, two] = [await simulate(loaded, { paths: 4 * QMC_BLOCK, seed: 5, threads: 1 }), await simulate(loaded, { paths: 4 * QMC_BLOCK, seed: 5, threads: 2 })];
    expect(JSON.stringify(two.summary)).toBe(JSON.stringify(one.summary));
    expect(one.summary.run.sampling).toMatch(/quasi-Monte Carlo: scrambled Sobol points .* a sequence per block of 1024 paths/);
    expect(one.summary.policies.blanket.metrics.lost_revenue.se).toBeGreaterThan(0);
    const dir = tempDir();
    const file = join(dir, 'qmc.yaml');
    writeFileSync(file, toYaml(doc('qmc')));
    const r = await runCli(['run', file, '--precision', '0.05', '--max-paths', '8192', '--out', join(dir, 'out'), '--quiet']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.run.precision.target.relative).toBe(0.05);
    expect(summary.run.paths % QMC_BLOCK === 0 || summary.run.paths === 8192).toBe(true);
  });
});
