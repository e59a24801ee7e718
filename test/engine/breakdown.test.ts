/**
 * bench/breakdown.mjs times the day loop step by step on a copy of the kernel with a clock call
 * at each step's passage (bench/steps.mjs). Those passages must stay in the kernel's source, once
 * each, and the marked kernel must compile: otherwise `npm run bench` fails, long after the change.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instrumentKernelSource, STEPS } from '../../bench/steps.mjs';
import { compileKernelSource } from '../../scripts/compile-kernel.mjs';

describe("the benchmark's step breakdown", () => {
  it('finds every step in the kernel source once, and the marked kernel compiles', async () => {
    const source = readFileSync('src/wasm/kernel.ts', 'utf8');
    const marked = instrumentKernelSource(source);
    expect(marked.match(/\bmark\(\d+\);/g)).toHaveLength(STEPS.length);
    expect(await compileKernelSource(marked, 'simd')).toBeInstanceOf(WebAssembly.Module);
    // A kernel without a step's passage is refused by name.
    expect(() => instrumentKernelSource(source.replace('  stepQuality(w, st, list, n);', '  stepQuality(w, st, list, n );'))).toThrow(/no longer has one "  stepQuality\(w, st, list, n\);" to mark step 9/);
  });
});
