// node bench/distributed.mjs (npm run bench runs it too): what shards, merges and the queue cost
// on the default scenario at npm start's size, measured through the CLI. Needs redis-server for
// the queue rows (skipped, saying so, without it). Prints a Markdown table. Timings on a shared
// machine wander by a tenth or more from one minute to the next, so what is compared is measured
// REPEAT times, in turn, and the medians are given.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'accessgap-bench-distributed-'));
const scenario = 'scenarios/legion-canada.yaml';
const paths = 20_000;
const cli = (args) => {
  const t = performance.now();
  execFileSync(process.execPath, ['bin/accessgap.js', ...args, '--quiet'], { stdio: 'inherit' });
  return (performance.now() - t) / 1000;
};
const timing = (out) => JSON.parse(readFileSync(join(out, 'timing.json'), 'utf8'));
const REPEAT = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
const rowsAfterRun = [];
const row = (what, seconds, note) => rows.push(`| ${what} | ${seconds.toFixed(2)} | ${note} |`);

// The run on one machine, two threads (measured again below, in turn with submit).
const runWalls = [];
const runSims = [];
const runOnce = () => {
  runWalls.push(cli(['run', scenario, '--paths', String(paths), '--threads', '2', '--out', join(dir, 'run')]));
  runSims.push(timing(join(dir, 'run')).simulate_seconds);
};
runOnce();
// A shard's fixed cost: a one-block shard's process time beyond the block's share of a one-thread run.
cli(['run', scenario, '--paths', String(paths), '--threads', '1', '--out', join(dir, 'run1')]);
const perBlock = timing(join(dir, 'run1')).simulate_seconds / Math.ceil(paths / 1024);
const blocks = Math.ceil(paths / 1024);
const oneBlockWall = median(Array.from({ length: REPEAT }, () => cli(['run', scenario, '--paths', String(paths), '--threads', '1', '--shard', `1/${blocks}`, '--out', join(dir, 'one-block')])));
const partMb = statSync(join(dir, 'one-block', 'shard.agshard')).size / 2 ** 20;
row('shard of one block, 1 thread (process)', oneBlockWall, `fixed cost ${(oneBlockWall - perBlock).toFixed(2)} s beyond the block's ${perBlock.toFixed(2)} s of simulation (Node's start, loading the scenario, a fresh engine's first block, encoding and writing the ${partMb.toFixed(0)} MB part)`);
// Four shards, then their merge.
const parts = [];
let shardWall = 0;
for (let i = 1; i <= 4; i++) {
  parts.push(join(dir, `part-${i}`));
  shardWall += cli(['run', scenario, '--paths', String(paths), '--threads', '2', '--shard', `${i}/4`, '--out', parts[i - 1]]);
}
const shardRow = () => row('4 shards, one after another, 2 threads each (processes)', shardWall, `${((shardWall / median(runWalls) - 1) * 100).toFixed(0)}% more than the run (each shard starts Node and its threads, and writes its part)`);
const partsMb = parts.reduce((mb, p) => mb + statSync(join(p, 'shard.agshard')).size / 2 ** 20, 0);
const merges = Array.from({ length: REPEAT }, () => {
  const wall = cli(['merge', ...parts, '--threads', '2', '--out', join(dir, 'merged')]);
  return [wall, timing(join(dir, 'merged')).simulate_seconds];
});
const [mergeWall, mergeSim] = [median(merges.map((m) => m[0])), median(merges.map((m) => m[1]))];

// The same at the size docs/distributed.md advises (50,000 paths a shard): a part's sketch grid
// hardly grows with its paths, so reading and merging the parts is a smaller share of the run.
const bigPaths = 200_000;
const bigRunWall = cli(['run', scenario, '--paths', String(bigPaths), '--threads', '2', '--out', join(dir, 'big-run')]);
const bigRunSim = timing(join(dir, 'big-run')).simulate_seconds;
const bigParts = [1, 2, 3, 4].map((i) => {
  const part = join(dir, `big-part-${i}`);
  cli(['run', scenario, '--paths', String(bigPaths), '--threads', '2', '--shard', `${i}/4`, '--out', part]);
  return part;
});
const bigPartsMb = bigParts.reduce((mb, p) => mb + statSync(join(p, 'shard.agshard')).size / 2 ** 20, 0);
const bigMergeWall = cli(['merge', ...bigParts, '--threads', '2', '--out', join(dir, 'big-merged')]);
const bigMergeSim = timing(join(dir, 'big-merged')).simulate_seconds;
rmSync(join(dir, 'big-run'), { recursive: true, force: true });

// The queue: two local workers of one thread each against run --threads 2.
if (spawnSync('redis-server', ['--version']).status === 0) {
  const port = 6300 + (process.pid % 500);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 500));
  const workers = [1, 2].map(() => spawn(process.execPath, ['bin/accessgap.js', 'worker', '--redis', url, '--threads', '1', '--quiet'], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 1500));
  try {
    // In turn with the run, so that both see the machine alike.
    const submits = { 2: [], 4: [] };
    for (let k = 0; k < REPEAT; k++) {
      for (const shards of [2, 4]) submits[shards].push(cli(['submit', scenario, '--redis', url, '--shards', String(shards), '--paths', String(paths), '--threads', '2', '--out', join(dir, `queued-${shards}`)]));
      if (k < REPEAT - 1) runOnce();
    }
    rowsAfterRun.push(...[2, 4].map((shards) => {
      const wall = median(submits[shards]);
      const runWall = median(runWalls);
      return [`submit, ${shards} shards, two local workers of 1 thread (process)`, wall, `${wall <= runWall ? `${((1 - wall / runWall) * 100).toFixed(0)}% less` : `${((wall / runWall - 1) * 100).toFixed(0)}% more`} than run --threads 2`];
    }));
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    redis.kill('SIGKILL');
  }
} else rowsAfterRun.push(['submit', NaN, 'skipped: redis-server is not installed']);
while (runWalls.length < REPEAT) runOnce();
const runWall = median(runWalls);
const runSim = median(runSims);
rows.unshift(`| run, 2 threads (process) | ${runWall.toFixed(2)} | simulation ${runSim.toFixed(2)} s (medians of ${REPEAT}) |`);
shardRow();
row('merge of the 4 shards (process)', mergeWall, `reading the ${partsMb.toFixed(0)} MB of parts and putting them together: ${mergeSim.toFixed(2)} s, ${((100 * mergeSim) / runSim).toFixed(1)}% of the run's simulation; the rest is what run also does after simulating (the cost-of-delay exhibit, the report, the charts)`);
rows.push(`| run of ${bigPaths.toLocaleString('en-US')} paths, 2 threads (process) | ${bigRunWall.toFixed(2)} | simulation ${bigRunSim.toFixed(2)} s |`);
row(`merge of its 4 shards of ${(bigPaths / 4).toLocaleString('en-US')} paths (process)`, bigMergeWall, `reading the ${bigPartsMb.toFixed(0)} MB of parts and putting them together: ${bigMergeSim.toFixed(2)} s, ${((100 * bigMergeSim) / bigRunSim).toFixed(1)}% of the run's simulation`);
for (const [what, seconds, note] of rowsAfterRun) rows.push(`| ${what} | ${Number.isNaN(seconds) ? '-' : seconds.toFixed(2)} | ${note} |`);

console.log([`Distributed runs of ${scenario}, ${paths.toLocaleString('en-US')} paths:`, '', '| what | seconds | |', '|---|---|---|', ...rows].join('\n'));
rmSync(dir, { recursive: true, force: true });
