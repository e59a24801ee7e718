/**
 * `accessgap sensitivity FILE [--policy NAME]... [--metric NAME] [--method tornado|rank|all]`:
 * which uncertain inputs drive a metric, on the same paths as the base run.
 *
 *   uncertain inputs -> their draws on the base run's paths (rank correlations, tornado values)
 *   -> variants: the base, and each input at its low and high percentile (runStudy)
 *   -> analysis/sensitivity.ts -> report/sensitivity.ts -> writeFolderAtomically
 */
import { join } from 'node:path';
import { runStudy, type Variant } from '../study/run.js';
import { spearman, tornadoRow, tornadoValues } from '../analysis/sensitivity.js';
import { sobolIndices } from '../analysis/sobol.js';
import { runSaltelli, sobolFactors } from '../study/sobol.js';
import { buildSensitivityFiles, sensitivitySummary, statusOf, type SensitivityJson } from '../report/sensitivity.js';
import { estimateRun } from '../engine/guards.js';
import { makePlan } from '../engine/block.js';
import { defaultThreads } from '../engine/run.js';
import { drawnValues } from '../sampling/draw.js';
import { metricsOf } from '../model/metrics.js';
import { closest } from '../scenario/problems.js';
import { VERSION } from '../version.js';
import { EXIT, loadOrReport, type Io } from './io.js';
import { checkBeforeStart, choosePaths, runAndWrite, type CommonFlags } from './folder-command.js';

export const METHODS = ['tornado', 'rank', 'sobol'] as const;

export interface SensitivityFlags extends CommonFlags {
  policy?: string[];
  metric?: string;
  method?: string;
  tornadoQuantiles?: string;
  sobolPaths?: number;
}

export async function sensitivityCommand(file: string, flags: SensitivityFlags, io: Io): Promise<number> {
  const loaded = await loadOrReport(file, io);
  if (!loaded) return EXIT.invalid;
  const s = loaded.scenario;
  const problems: string[] = [];
  const metrics = metricsOf(s.mitigation !== undefined);
  const metric = flags.metric ?? 'total_harm';
  if (!metrics.includes(metric as never)) {
    const near = closest(metric, [...metrics]);
    problems.push(`--metric ${metric}: expected one of ${metrics.join(', ')}, found an unknown metric${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  const policies = flags.policy ?? s.compare;
  for (const p of policies) {
    if (!s.compare.includes(p)) {
      const near = closest(p, s.compare);
      problems.push(`--policy ${p}: expected a compared policy (${s.compare.join(', ')}), found an unknown name${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  }
  const method = flags.method ?? 'all';
  const methods = method === 'all' ? [...METHODS] : [method];
  if (!(METHODS as readonly string[]).includes(method) && method !== 'all') problems.push(`--method ${method}: expected tornado, rank, sobol or all, found "${method}"`);
  let quantiles: [number, number] = [0.1, 0.9];
  if (flags.tornadoQuantiles !== undefined) {
    const q = flags.tornadoQuantiles.split(',').map(Number);
    if (q.length !== 2 || !q.every((x) => x > 0 && x < 1) || !(q[0] < q[1])) problems.push(`--tornado-quantiles ${flags.tornadoQuantiles}: expected two probabilities low,high with 0 < low < high < 1 (for example 0.05,0.95)`);
    else quantiles = [q[0], q[1]];
  }
  const inputs = s.inputs.filter((d) => d.value.kind === 'dist' && d.value.spec.dist !== 'constant');
  if (inputs.length === 0) problems.push('expected at least one uncertain input (a distribution), found none: every input is a number or an expression');
  if (problems.length) {
    io.err(problems.map((p) => `accessgap: ${file}: ${p}\n`).join(''));
    return EXIT.invalid;
  }
  const sim = s.simulation;
  const settings = { paths: flags.paths ?? sim.paths, seed: flags.seed ?? sim.seed, threads: flags.threads ?? defaultThreads() };
  const out = flags.out ?? join('reports', `${s.name}-sensitivity`);
  const runs = 1 + (methods.includes('tornado') ? 2 * inputs.length : 0);
  const factors = methods.includes('sobol') ? sobolFactors(loaded) : [];
  const sobolPaths = flags.sobolPaths ?? Math.min(settings.paths, 1024);
  const estimate = estimateRun(makePlan(loaded, { lastDayOnly: true }), settings.paths, settings.threads);
  const sobolSeconds = (estimate.seconds * sobolPaths * (factors.length + 2)) / settings.paths;
  estimate.seconds = estimate.seconds * runs + sobolSeconds;
  const what = `${runs} runs of ${settings.paths.toLocaleString('en-US')} paths${factors.length ? ` and ${factors.length + 2} Sobol passes of ${sobolPaths.toLocaleString('en-US')}` : ''}`;
  if (!(await checkBeforeStart(io, file, out, estimate, flags.allowLarge, what, 'reduce --paths or --sobol-paths'))) return EXIT.invalid;
  if (!flags.quiet) {
    const sobolCost = factors.length ? `; Sobol indices: N (k + 2) = ${sobolPaths.toLocaleString('en-US')} x ${factors.length + 2} = ${(sobolPaths * (factors.length + 2)).toLocaleString('en-US')} paths` : '';
    io.err(`accessgap: ${inputs.length} uncertain inputs; ${runs} runs of ${settings.paths.toLocaleString('en-US')} paths on the same paths${sobolCost} (about ${Math.ceil(estimate.seconds)} s)\n`);
  }

  // Every uncertain input's draw on every path of the base run, the tornado's values, and the variants.
  let draws: Float64Array[] = [];
  let tornadoInputs: { d: (typeof inputs)[number]; values: [number, number] }[] = [];
  let variants: Variant[] = [];
  const redraw = (paths: number) => {
    draws = drawnValues(s, loaded.expressions, settings.seed, inputs.map((d) => d.id), paths);
    tornadoInputs = methods.includes('tornado') ? inputs.map((d, i) => ({ d, values: tornadoValues(draws[i], quantiles[0], quantiles[1], d.integer) })) : [];
    variants = [new Map(), ...tornadoInputs.flatMap(({ d, values: [lo, hi] }) => [new Map([[d.id, lo]]), new Map([[d.id, hi]])])];
  };
  redraw(settings.paths);

  return runAndWrite(io, flags, 'sensitivity', file, out, async ({ signal, onProgress, finishProgress }) => {
    const started = performance.now();
    const precision = await choosePaths(loaded, flags, settings, { signal, onProgress });
    if (precision) {
      settings.paths = precision.paths;
      // The tornado's values are the percentiles of the draws of the paths actually run.
      redraw(settings.paths);
    }
    const study = await runStudy(loaded, variants, { ...settings, signal, onProgress });
    const saltelli = factors.length ? await runSaltelli(loaded, factors, { ...settings, paths: sobolPaths, signal, onProgress }) : undefined;
    finishProgress();
    const j = study.metrics.indexOf(metric as never);
    const json: SensitivityJson = {
      schema: 'accessgap/sensitivity@1',
      scenario: { name: s.name, title: s.title, file: s.file, sha256: s.sha256, currency: s.currency },
      run: {
        seed: settings.seed,
        paths: settings.paths,
        version: VERSION,
        metric,
        methods,
        tornado_quantiles: quantiles,
        ...(saltelli ? { sobol_paths: sobolPaths, sobol_estimators: 'Saltelli et al. (2010) first order, Jansen (1999) total order; 95% intervals: 1.96 x the standard deviation of 200 bootstrap resamples' } : {}),
        passes: study.passes + (saltelli ? factors.length + 2 : 0),
        ...(precision ? { precision } : {}),
        timing: { threads: settings.threads, simulate_seconds: study.simulateSeconds + (saltelli?.simulateSeconds ?? 0), wall_seconds: (performance.now() - started) / 1000 },
      },
      inputs: inputs.map((d) => ({ key: d.key, ...(statusOf(d.comment) ? { status: statusOf(d.comment) } : {}), ...(d.comment ? { basis: d.comment } : {}) })),
      policies: Object.fromEntries(
        policies.map((policy) => {
          const i = study.policies.indexOf(policy);
          const base = study.values[0][i][j];
          const mean = base.reduce((a, b) => a + b, 0) / base.length;
          const tornado = methods.includes('tornado')
            ? tornadoInputs.map(({ d, values: v }, t) => tornadoRow(d.key, v, base, study.values[1 + 2 * t][i][j], study.values[2 + 2 * t][i][j])).sort((a, b) => b.swing - a.swing || a.input.localeCompare(b.input))
            : undefined;
          const rank = methods.includes('rank')
            ? inputs.map((d, t) => {
                const r = spearman(draws[t], base);
                return { input: d.key, spearman: r.rho, ci95: r.ci95 };
              })
            : undefined;
          const sobol = saltelli
            ? (() => {
                const si = saltelli.policies.indexOf(policy);
                const sj = saltelli.metrics.indexOf(metric as never);
                const idx = sobolIndices(saltelli.A[si][sj], saltelli.B[si][sj], saltelli.AB.map((ab) => ab[si][sj]), 200, `accessgap:${settings.seed}:sobol-bootstrap:${policy}`);
                return factors.map((f, t) => ({ input: f.keys.join(' + '), ...idx[t] })).sort((a, b) => b.ST - a.ST || a.input.localeCompare(b.input));
              })()
            : undefined;
          return [policy, { base_mean: mean, ...(tornado ? { tornado } : {}), ...(rank ? { rank } : {}), ...(sobol ? { sobol } : {}) }];
        }),
      ),
    };
    const files = await buildSensitivityFiles(json);
    return { files, printed: sensitivitySummary(json) };
  });
}
