/**
 * A shard's file opened for a merge (openShard) leaves its paths' values in the file and reads them
 * straight into the run's arrays: the merge gives what the same parts decoded in memory give.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_PATHS } from '../../src/engine/kernel.js';
import { decodeShard, mergeShards, openShard, runShard } from '../../src/engine/shard.js';
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
});
