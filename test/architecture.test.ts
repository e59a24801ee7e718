/** The layer order of src/ (scripts/layers.mjs): no import cycle, no import upward, randomness in one place. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build scripts, without declarations
import { checkLayers, LAYERS } from '../scripts/layers.mjs';

describe('the layer order', () => {
  it('holds: no cycle between files or folders, no folder importing one above it, seedrandom only in sampling', () => {
    expect(checkLayers()).toEqual([]);
  });

  it('runs from the format up to the command line', () => {
    expect(LAYERS.indexOf('engine')).toBeLessThan(LAYERS.indexOf('study'));
    expect(LAYERS.indexOf('study')).toBeLessThan(LAYERS.indexOf('analysis'));
    expect(LAYERS.indexOf('charts')).toBeLessThan(LAYERS.indexOf('report'));
    expect(LAYERS.indexOf('report')).toBeLessThan(LAYERS.indexOf('cli'));
  });
});
