// node bench/studies.mjs (npm run bench runs it too): what each study costs relative to a run of
// the same scenario at the same paths, measured through the CLI as a user runs it (two threads).
// The default scenario at 4,096 paths (a fifth of npm start's): every study is made of passes of
// these paths, so the ratios hold at any size. Prints a Markdown table; then the sensitivity
// analysis as a user runs it on the default scenario (its 20,000 paths), against the target of
// under 2 minutes and 1 GB on two cores.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'accessgap-bench-studies-'));
const scenario = 'scenarios/legion-canada.yaml';
const paths = 4096;
const durations = '30,90,180,365,730';

/** Runs a command; its wall seconds (the process) and timing.json. */
function measure(args, size = ['--paths', String(paths)]) {
  const out = join(dir, args[0]);
  const started = performance.now();
  execFileSync(process.execPath, ['bin/accessgap.js', ...args, ...size, '--threads', '2', '--out', out, '--quiet'], { stdio: 'inherit' });
  const wall = (performance.now() - started) / 1000;
  return { wall, timing: JSON.parse(readFileSync(join(out, 'timing.json'), 'utf8')) };
}

try {
  const run = measure(['run', scenario]);
  const studies = [
    ['run (the report, the cost-of-delay exhibit)', run],
    [`sweep --durations ${durations}`, measure(['sweep', scenario, '--durations', durations])],
    ['sensitivity, tornado', measure(['sensitivity', scenario, '--method', 'tornado'])],
    ['sensitivity, ranks', measure(['sensitivity', scenario, '--method', 'rank'])],
    ['sensitivity, Sobol', measure(['sensitivity', scenario, '--method', 'sobol'])],
    ['sensitivity as given (all three)', measure(['sensitivity', scenario])],
    ['exhibits (the pack: run, injunction table, tornado, P&L)', measure(['exhibits', scenario])],
  ];
  const lines = [
    `Studies of ${scenario} at ${paths.toLocaleString('en-US')} paths, two threads, against a run of the same paths:`,
    '',
    '| study | simulation (s) | process (s) | x a run (process) |',
    '|---|---|---|---|',
    ...studies.map(([what, m]) => `| ${what} | ${m.timing.simulate_seconds.toFixed(1)} | ${m.wall.toFixed(1)} | ${(m.wall / run.wall).toFixed(1)} |`),
  ];
  const given = measure(['sensitivity', scenario], []);
  lines.push(
    '',
    `accessgap sensitivity ${scenario} as given (${given.timing.threads} threads, the file's paths): ${given.wall.toFixed(1)} s (simulation ${given.timing.simulate_seconds.toFixed(1)} s), peak RSS ${given.timing.peak_rss_mb} MB; target under 120 s and 1,024 MB.`,
  );
  console.log(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
