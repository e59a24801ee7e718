/** run --precision: whole blocks until the mean total harm is known to a stated precision, whatever the threads. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_PATHS } from '../../src/engine/kernel.js';
import { Z975 } from '../../src/stats/summary.js';
import { baseScenario, loadDoc, runCli, simulate, tempDir, toYaml } from '../helpers.js';

function doc() {
  const d = baseScenario();
  d.simulation.horizon_days = 60;
  d.firm.cash = { dist: 'uniform', min: 2_000_000, max: 5_000_000 }; // solvent: a smooth harm
  d.revocation.duration_days = { dist: 'lognormal', median: 20, p90: 50 };
  d.productivity.capability_elasticity = { dist: 'pert', min: 0.2, mode: 1, max: 3 };
  delete d.policies.nobody;
  return d;
}

describe('run --precision', () => {
  it('stops at the first whole block where every mean total harm is known to the target, with identical files for 1, 2 and 3 threads', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, toYaml(doc()));
    const outputs: string[][] = [];
    for (const t of ['1', '2', '3']) {
      const out = join(dir, `o${t}`);
      const r = await runCli(['run', file, '--precision', '0.01', '--max-paths', String(12 * BLOCK_PATHS), '--out', out, '--threads', t, '--quiet']);
      expect(r.code, r.err).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      outputs.push([JSON.stringify(summary), readFileSync(join(out, 'metrics.csv'), 'utf8'), readFileSync(join(out, 'series.csv'), 'utf8')]);
    }
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
    const summary = JSON.parse(outputs[0][0]);
    expect(summary.run.precision.reason).toBe('target met');
    // The first block count at which the rule holds, from the per-path values of a longer run.
    const { result } = await simulate(await loadDoc(doc()), { paths: 12 * BLOCK_PATHS });
    const j = result.plan.metrics.indexOf('total_harm');
    const meets = (m: number) =>
      result.metrics.every((perMetric) => {
        const x = perMetric[j].subarray(0, m);
        const mean = x.reduce((a, b) => a + b, 0) / m;
        if (mean === 0) return true;
        const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (m - 1));
        return (Z975 * sd) / Math.sqrt(m) <= 0.01 * Math.abs(mean);
      });
    let b = 1;
    while (!meets(b * BLOCK_PATHS)) b++;
    expect(b).toBeGreaterThan(1);
    expect(summary.run.paths).toBe(b * BLOCK_PATHS);
    expect(summary.run.precision.achieved_relative).toBeLessThanOrEqual(0.01);
  });

  it('stops at --max-paths when the target is out of reach, and says so', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, toYaml(doc()));
    const out = join(dir, 'o');
    const r = await runCli(['run', file, '--precision', '0.0001', '--max-paths', '1500', '--out', out, '--threads', '1']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.run.paths).toBe(1500);
    expect(summary.run.precision).toMatchObject({ paths: 1500, reason: 'max paths reached', target: { relative: 0.0001, max_paths: 1500 } });
    expect(summary.run.precision.achieved_relative).toBeGreaterThan(0.0001);
    // Per policy: what was achieved, the same half-width the report prints, and that it misses.
    for (const [name, p] of Object.entries(summary.policies) as [string, any][]) {
      const a = summary.run.precision.policies[name];
      const h = p.metrics.total_harm;
      if (h.mean === 0) expect(a).toMatchObject({ relative: null, relative_met: true });
      else {
        expect(a.relative).toBeCloseTo((Z975 * h.se) / Math.abs(h.mean), 9);
        expect(a.relative_met).toBe(false);
      }
    }
    // The miss is printed, listed in the report, and in summary.json's warnings.
    expect(r.out).toMatch(/The precision target was not met: the run stopped at the most paths allowed \(1,500\)/);
    expect(summary.warnings[0]).toMatch(/^The precision target was not met/);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/The precision target was not met/);
    // The reproduce line carries the rule that chose the paths, not just --paths.
    expect(md).toContain(`npx accessgap run ${file} --precision 0.0001 --max-paths 1500 --seed 7`);
  });

  it('reads the same standard error the report prints: the achieved half-width is 1.96 se / mean of the worst policy', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, toYaml(doc()));
    const out = join(dir, 'o');
    const r = await runCli(['run', file, '--precision', '0.02', '--max-paths', String(12 * BLOCK_PATHS), '--out', out, '--threads', '1', '--quiet']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const worst = Math.max(...Object.values(summary.policies as Record<string, any>).filter((p) => p.metrics.total_harm.mean !== 0).map((p) => (Z975 * p.metrics.total_harm.se) / Math.abs(p.metrics.total_harm.mean)));
    expect(Math.abs(summary.run.precision.achieved_relative - worst)).toBeLessThan(1e-12 * worst);
  });

  it('refuses --precision-abs or --max-paths without a precision, naming the flag (exit 2)', async () => {
    for (const flag of [['--precision-abs', '0.01'], ['--max-paths', '5000']]) {
      const r = await runCli(['run', 'scenarios/worked-example.yaml', ...flag, '--out', join(tempDir(), 'o')]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`${flag[0]} goes with --precision (or simulation.precision in the scenario), which is not given`);
    }
  });

  it('refuses a precision outside (0, 1] (exit 2)', async () => {
    const r = await runCli(['run', 'scenarios/worked-example.yaml', '--precision', '5']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected --precision as a number in \(0, 1\], found "5"/);
  });
});

describe('sweep and sensitivity --precision', () => {
  it('run the paths that run --precision chooses for the scenario as given, and record the rule', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, toYaml(doc()));
    const args = ['--precision', '0.01', '--max-paths', String(12 * BLOCK_PATHS), '--threads', '2', '--quiet'];
    expect((await runCli(['run', file, '--out', join(dir, 'run'), ...args])).code).toBe(0);
    const chosen = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8')).run.paths;
    expect((await runCli(['sweep', file, '--durations', '10,30', '--out', join(dir, 'sweep'), ...args])).code).toBe(0);
    const sweep = JSON.parse(readFileSync(join(dir, 'sweep', 'sweep.json'), 'utf8'));
    expect(sweep.run.paths).toBe(chosen);
    expect(sweep.run.precision).toMatchObject({ paths: chosen, reason: 'target met' });
    expect((await runCli(['sensitivity', file, '--method', 'tornado', '--policy', 'blanket', '--out', join(dir, 'sens'), ...args])).code).toBe(0);
    const sens = JSON.parse(readFileSync(join(dir, 'sens', 'sensitivity.json'), 'utf8'));
    expect(sens.run.paths).toBe(chosen);
    expect(sens.run.precision.paths).toBe(chosen);
  });
});
