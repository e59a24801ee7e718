/**
 * A shard's file opened for a merge (openShard) leaves its paths' values in the file and reads them
 * straight into the run's arrays: the merge gives what the same parts decoded in memory give.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_PATHS } from '../../src/engine/kernel.js';
import { runSimulation } from '../../src/engine/run.js';
import { checkShards, decodeShard, mergeShards, openShard, runShard } from '../../src/engine/shard.js';
import { tempDir, uncertainScenario } from '../helpers.js';

const bytes = (xs: Float64Array) => Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength).toString('base64');

describe('openShard', () => {
  it("reads the paths' values into the run's arrays at the merge, to the same results as parts decoded in memory", async () => {
    const loaded = await uncertainScenario();
    const paths = 2 * BLOCK_PATHS + 300;
    const dir = tempDir();
    const files = [];
    for (const i of [1, 2, 3]) {
      const { bytes: part } = await runShard(loaded, { paths, seed: 8, threads: 1 }, i, 3);
      files.push(join(dir, `p${i}`));
      writeFileSync(files[i - 1], part);
    }
    const opened = files.map((f) => openShard(f));
    // Left in the file until the merge reads them.
    expect(opened[1].part.metrics[0] instanceof Float64Array).toBe(false);
    expect(opened[1].part.butforValue.length).toBe(BLOCK_PATHS);
    const fromFiles = await mergeShards(loaded, opened, 1);
    opened.forEach((s) => s.close());
    const inMemory = await mergeShards(loaded, files.map((f) => decodeShard(new Uint8Array(readFileSync(f)), f)), 1);
    expect(fromFiles.metrics.map((perMetric) => perMetric.map(bytes))).toEqual(inMemory.metrics.map((perMetric) => perMetric.map(bytes)));
    expect(bytes(fromFiles.butforValue)).toBe(bytes(inMemory.butforValue));
    expect(bytes(fromFiles.insolvencyDay[0])).toBe(bytes(inMemory.insolvencyDay[0]));
  });

  it("claimed blocks (a queue job's, any blocks in any order) merge to the bytes of one machine's run; a block in two parts or in none is refused", async () => {
    const loaded = await uncertainScenario();
    const paths = 4 * BLOCK_PATHS + 300;
    const options = { paths, seed: 8, threads: 1 };
    const claiming = (blocks: number[]) => () => Promise.resolve(blocks.shift());
    // Interleaved, and out of order; one job on this thread, one on this thread and a worker
    // thread (which asks the main thread for each block it runs).
    const a = await runShard(loaded, options, 1, 3, claiming([0, 2, 4]));
    const b = await runShard(loaded, { ...options, threads: 2 }, 2, 3, claiming([3, 1]));
    const empty = await runShard(loaded, options, 3, 3, claiming([]));
    expect([a.held, b.held, empty.held]).toEqual([[0, 2, 4], [1, 3], []]);
    expect(a.paths).toBe(2 * BLOCK_PATHS + 300);
    const dir = tempDir();
    const files = [a, b, empty].map((x, k) => {
      writeFileSync(join(dir, `c${k}`), x.bytes);
      return join(dir, `c${k}`);
    });
    const parts = () => files.map((f) => decodeShard(new Uint8Array(readFileSync(f)), f));
    const one = await runSimulation(loaded, options);
    const opened = files.map((f) => openShard(f));
    const fromFiles = await mergeShards(loaded, opened, 1);
    opened.forEach((s) => s.close());
    for (const merged of [await mergeShards(loaded, parts(), 1), fromFiles]) {
      expect(merged.metrics.map((perMetric) => perMetric.map(bytes))).toEqual(one.metrics.map((perMetric) => perMetric.map(bytes)));
      expect(bytes(merged.seriesMeans)).toBe(bytes(one.seriesMeans));
      expect(bytes(merged.butforValue)).toBe(bytes(one.butforValue));
      expect(bytes(merged.insolvencyDays)).toBe(bytes(one.insolvencyDays));
      expect(bytes(merged.insolvencyDay[0])).toBe(bytes(one.insolvencyDay[0]));
      for (const cell of [0, 7, 123]) expect(merged.sketches.quantiles(cell, [0.05, 0.5, 0.95])).toEqual(one.sketches.quantiles(cell, [0.05, 0.5, 0.95]));
    }
    const named = (xs: { bytes: Uint8Array }[]) => xs.map((x, k) => ({ ...decodeShard(x.bytes, `part ${k + 1}`), name: `part ${k + 1}` }));
    expect(checkShards(named([a, b, empty]))).toBeUndefined();
    // The same blocks claimed twice (part 3 holds 1 and 3 too), and block 1 claimed by nobody.
    const twice = await runShard(loaded, options, 3, 3, claiming([1, 3]));
    expect(checkShards(named([a, b, twice]))).toBe('block 1 is in two shards (part 2 and part 3)');
    const gap = await runShard(loaded, options, 2, 3, claiming([3]));
    expect(checkShards(named([a, gap, empty]))).toBe("block 1 of the run's 5 is in no shard");
  }, 60_000);
});
