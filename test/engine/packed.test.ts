/**
 * A shard's sketch counts come packed by the kernel (Kernel.packedSketchData, the kernel's
 * packTrimmed): the bytes must be packCounts' bytes of the flat grid sketchData gives, both when the kernel still
 * holds every count and after it has moved them to the engine's 32-bit grid (FLUSH_BLOCKS); and
 * the same arrays on SharedArrayBuffers when asked for them shared.
 */
import { describe, expect, it } from 'vitest';
import { BlockSimulator, makePlan } from '../../src/engine/block.js';
import { BLOCK_PATHS } from '../../src/engine/kernel.js';
import { blockRange } from '../../src/engine/schedule.js';
import { packCounts, PackedCounts } from '../../src/stats/packed.js';
import { FLUSH_BLOCKS } from '../../src/wasm/layout.js';
import { baseScenario, loadDoc } from '../helpers.js';

async function simulated(blocks: number) {
  const doc = baseScenario();
  doc.simulation.horizon_days = 6;
  doc.revocation.start_day = 1;
  doc.revocation.duration_days = { dist: 'uniform', min: 1, max: 4 };
  const loaded = await loadDoc(doc);
  const paths = blocks * BLOCK_PATHS;
  const sim = new BlockSimulator(loaded, makePlan(loaded, { attribution: true }), { seed: 7, paths });
  for (let b = 0; b < blocks; b++) sim.run(b, ...blockRange(b, paths));
  return sim;
}

describe('packed sketch counts', () => {
  it.each([
    ['the kernel holds every count', 3],
    ['the kernel holds every count, some past 2^14 (three bytes each)', 17],
    ['the counts were moved to the 32-bit grid', FLUSH_BLOCKS + 2],
  ])('are packCounts of the flat grid when %s', async (_, blocks) => {
    const sim = await simulated(blocks);
    const packed = sim.packedSketchData();
    const flat = sim.sketchData();
    expect(packed.count).toBe(flat.counts.length);
    expect(packed.count).toBeGreaterThan(0);
    if (blocks === 17) expect(Math.max(...flat.counts)).toBeGreaterThanOrEqual(2 ** 14);
    expect(packed.packed).toEqual(packCounts(flat.counts));
    for (const key of ['windows', 'zeros', 'min', 'max'] as const) expect(packed[key]).toEqual(flat[key]);
    // And they read back to the same counts.
    const back = new Uint32Array(packed.count);
    new PackedCounts(packed.packed, (what) => {
      throw new Error(what);
    }).addInto(back, 0, packed.count);
    expect(back).toEqual(Uint32Array.from(flat.counts));
  });

  it.each([
    ['the kernel holds every count', 3],
    ['the counts were moved to the 32-bit grid', FLUSH_BLOCKS + 2],
  ])('are the same on SharedArrayBuffers (a kept thread gives them so) when %s', async (_, blocks) => {
    const sim = await simulated(blocks);
    const flat = sim.sketchData();
    const shared = sim.sketchData(true);
    const packedShared = sim.packedSketchData(true);
    for (const a of [shared.windows, shared.counts, packedShared.packed]) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(flat.counts.buffer).toBeInstanceOf(ArrayBuffer);
    for (const key of ['windows', 'counts', 'zeros', 'min', 'max'] as const) expect(Array.from(shared[key])).toEqual(Array.from(flat[key]));
    expect(Array.from(packedShared.packed)).toEqual(Array.from(packCounts(flat.counts)));
  });
});
