// node bench/distributed.mjs (npm run bench runs it too): what shards, merges and the queue cost
// on the default scenario at npm start's size (and the queue at 60,000 paths in 2 shards),
// measured through the CLI. Needs redis-server for
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
const percentOf = (a, b) => (a <= b ? `${((1 - a / b) * 100).toFixed(0)}% less` : `${((a / b - 1) * 100).toFixed(0)}% more`);

// The run on one machine, two threads (measured again below, in turn with submit).
const runWalls = [];
const runSims = [];
const runOnce = () => {
  runWalls.push(cli(['run', scenario, '--paths', String(paths), '--threads', '2', '--out', join(dir, 'run')]));
  runSims.push(timing(join(dir, 'run')).simulate_seconds);
};
runOnce();
// A shard's fixed cost: what a shard's process takes beyond its blocks' simulation, as the
// intercept of its time against its blocks. Shards of 1 and of 4 blocks (one thread each, the
// first blocks of the run) are timed in turn, REPEAT times each; a block costs a third of the
// difference, and the fixed cost is the one-block shard's time less one block. Both are the same
// kind of process, so the estimate does not lean on another command's clock.
const blocks = Math.ceil(paths / 1024);
if (blocks % 4 !== 0) throw new Error(`the fixed cost's shards of 4 blocks need a multiple of 4 blocks, found ${blocks}`);
const oneBlockWalls = [];
const fourBlockWalls = [];
for (let k = 0; k < REPEAT; k++) {
  oneBlockWalls.push(cli(['run', scenario, '--paths', String(paths), '--threads', '1', '--shard', `1/${blocks}`, '--out', join(dir, 'one-block')]));
  fourBlockWalls.push(cli(['run', scenario, '--paths', String(paths), '--threads', '1', '--shard', `1/${blocks / 4}`, '--out', join(dir, 'four-blocks')]));
}
const [oneBlockWall, fourBlockWall] = [median(oneBlockWalls), median(fourBlockWalls)];
const perBlock = (fourBlockWall - oneBlockWall) / 3;
const partMb = statSync(join(dir, 'one-block', 'shard.agshard')).size / 2 ** 20;

/** A run of `runPaths` as 4 shards one after another (2 threads each), then their merge (`merges` times, median). */
function shardAndMerge(name, runPaths, merges) {
  const parts = [1, 2, 3, 4].map((i) => join(dir, `${name}-part-${i}`));
  const shardWall = parts.reduce((wall, part, i) => wall + cli(['run', scenario, '--paths', String(runPaths), '--threads', '2', '--shard', `${i + 1}/4`, '--out', part]), 0);
  const partsMb = parts.reduce((mb, p) => mb + statSync(join(p, 'shard.agshard')).size / 2 ** 20, 0);
  const measured = Array.from({ length: merges }, () => {
    const wall = cli(['merge', ...parts, '--threads', '2', '--out', join(dir, `${name}-merged`)]);
    return [wall, timing(join(dir, `${name}-merged`)).simulate_seconds];
  });
  return { shardWall, partsMb, mergeWall: median(measured.map((m) => m[0])), mergeSim: median(measured.map((m) => m[1])) };
}
const small = shardAndMerge('small', paths, REPEAT);
// The same at the size docs/distributed.md advises (50,000 paths a shard): a part's sketch grid
// hardly grows with its paths, so reading and merging the parts is a smaller share of the run.
const bigPaths = 200_000;
const bigRunWall = cli(['run', scenario, '--paths', String(bigPaths), '--threads', '2', '--out', join(dir, 'big-run')]);
const bigRunSim = timing(join(dir, 'big-run')).simulate_seconds;
const big = shardAndMerge('big', bigPaths, 1);

// The queue: two local workers of one thread each against run --threads 2, in turn with the run,
// so that both see the machine alike.
const submits = { 2: [], 4: [] };
// And at 60,000 paths (30,000 a job on average: the jobs' threads claim blocks as they free up), 2 shards, in turn with the run.
const advised = 60_000;
const advisedSubmits = [];
const advisedRuns = [];
const queued = spawnSync('redis-server', ['--version']).status === 0;
if (queued) {
  const port = 6300 + (process.pid % 500);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 500));
  const workers = [1, 2].map(() => spawn(process.execPath, ['bin/accessgap.js', 'worker', '--redis', url, '--threads', '1', '--quiet'], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 1500));
  try {
    for (let k = 0; k < REPEAT; k++) {
      for (const shards of [2, 4]) submits[shards].push(cli(['submit', scenario, '--redis', url, '--shards', String(shards), '--paths', String(paths), '--threads', '2', '--out', join(dir, `queued-${shards}`)]));
      if (k < REPEAT - 1) runOnce();
    }
    for (let k = 0; k < REPEAT; k++) {
      advisedSubmits.push(cli(['submit', scenario, '--redis', url, '--shards', '2', '--paths', String(advised), '--threads', '2', '--out', join(dir, 'queued-advised')]));
      advisedRuns.push(cli(['run', scenario, '--paths', String(advised), '--threads', '2', '--out', join(dir, 'run-advised')]));
    }
  } finally {
    // The workers stop first (SIGTERM: they close their Redis connections), then Redis; a worker
    // not gone in 10 s is killed, so the bench always ends.
    const gone = (w) =>
      new Promise((resolve) => {
        if (w.exitCode !== null || w.signalCode !== null) return resolve();
        const late = setTimeout(() => w.kill('SIGKILL'), 10_000);
        w.once('exit', () => (clearTimeout(late), resolve()));
        w.kill('SIGTERM');
      });
    await Promise.all(workers.map(gone));
    redis.kill('SIGKILL');
  }
}
while (runWalls.length < REPEAT) runOnce();
const [runWall, runSim] = [median(runWalls), median(runSims)];

const row = (what, seconds, note) => `| ${what} | ${Number.isNaN(seconds) ? '-' : seconds.toFixed(2)} | ${note} |`;
const merged = (m, sim) => `reading the ${m.partsMb.toFixed(0)} MB of parts and putting them together: ${m.mergeSim.toFixed(2)} s, ${((100 * m.mergeSim) / sim).toFixed(1)}% of the run's simulation`;
const rows = [
  row('run, 2 threads (process)', runWall, `simulation ${runSim.toFixed(2)} s (medians of ${REPEAT})`),
  row('shard of one block, 1 thread (process)', oneBlockWall, `fixed cost ${(oneBlockWall - perBlock).toFixed(2)} s beyond its block's ${perBlock.toFixed(2)} s (a shard of 4 blocks took ${fourBlockWall.toFixed(2)} s; medians of ${REPEAT}, in turn; Node's start, loading the scenario, a fresh engine's first block, encoding and writing the ${partMb.toFixed(0)} MB part)`),
  row('4 shards, one after another, 2 threads each (processes)', small.shardWall, `${percentOf(small.shardWall, runWall)} than the run (each shard starts Node and its threads, and writes its part)`),
  row('merge of the 4 shards (process)', small.mergeWall, `${merged(small, runSim)}; the rest is what run also does after simulating (the cost-of-delay exhibit, the report, the charts)`),
  row(`run of ${bigPaths.toLocaleString('en-US')} paths, 2 threads (process)`, bigRunWall, `simulation ${bigRunSim.toFixed(2)} s`),
  row(`merge of its 4 shards of ${(bigPaths / 4).toLocaleString('en-US')} paths (process)`, big.mergeWall, merged(big, bigRunSim)),
  ...(queued
    ? [
        ...[2, 4].map((shards) => row(`submit, ${shards} shards, two local workers of 1 thread (process)`, median(submits[shards]), `${percentOf(median(submits[shards]), runWall)} than run --threads 2`)),
        row(`submit of ${advised.toLocaleString('en-US')} paths, 2 shards, the same workers (process)`, median(advisedSubmits), `${percentOf(median(advisedSubmits), median(advisedRuns))} than run --threads 2 on the same paths (${median(advisedRuns).toFixed(2)} s; medians of ${REPEAT}, in turn)`),
      ]
    : [row('submit', NaN, 'skipped: redis-server is not installed')]),
];

console.log([`Distributed runs of ${scenario}, ${paths.toLocaleString('en-US')} paths:`, '', '| what | seconds | |', '|---|---|---|', ...rows].join('\n'));
rmSync(dir, { recursive: true, force: true });
