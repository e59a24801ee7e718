/**
 * The day loop's two builds (scripts/build.mjs): the SIMD one runs two paths per f64x2 in the
 * exponentials, logarithms and quality updates, the scalar one is the fallback for WebAssembly
 * engines without SIMD. Both must compute exactly what the reference day loop computes, including
 * on an odd number of paths (the last path of a block then runs alone), and the vector exp and log
 * must be the scalar ones bit for bit.
 */
import seedrandom from 'seedrandom';
import { afterEach, describe, expect, it } from 'vitest';
import { describeDivergence, firstDivergence } from '../../src/engine/differential.js';
import { chooseKernelBuild, compileKernelBuild, kernelBuild, kernelImports, kernelModule, useKernelModule } from '../../src/engine/kernel.js';
import { LOG_CENTRE, LOG_INV_CENTRE, LOG_OF_CENTRE, POW2, TWO_J, fastExp, fastLog } from '../../src/model/fastmath.js';
import { loadDoc, uncertainDoc } from '../helpers.js';

const builtKernel = kernelModule();

interface MathExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  setMathTables(...at: number[]): void;
  vectorMath(kind: number, at: number, n: number): number;
}

/** An instance of a build with fastmath's tables written, as the engine writes them. */
function mathInstance(module: WebAssembly.Module): MathExports {
  const x = new WebAssembly.Instance(module, kernelImports(() => 0)).exports as unknown as MathExports;
  const put = (v: Float64Array) => {
    const at = x.alloc(8 * v.length);
    new Float64Array(x.memory.buffer, at, v.length).set(v);
    return at;
  };
  x.setMathTables(put(TWO_J), put(POW2), put(LOG_CENTRE), put(LOG_INV_CENTRE), put(LOG_OF_CENTRE));
  return x;
}

/** The build's vector function (0 exp, 1 log) applied to xs; undefined when the build has none. */
function vectorMath(x: MathExports, kind: number, xs: number[]): Float64Array | undefined {
  const at = x.alloc(8 * xs.length);
  new Float64Array(x.memory.buffer, at, xs.length).set(xs);
  if (x.vectorMath(kind, at, xs.length) === 0) return undefined;
  return new Float64Array(x.memory.buffer, at, xs.length).slice();
}

const rng = seedrandom.tychei('simd');
const ULP = 2 ** -52;

describe('the vector exp and log', () => {
  const simd = mathInstance(compileKernelBuild('simd'));
  it('run here: this Node compiles the SIMD build, and runs it', () => {
    expect(kernelBuild()).toBe('simd');
  });
  it('are fastExp bit for bit, within 2 ulp of Math.exp, lanes out of range included (100,000 points)', () => {
    const edges = [0, -0, 1e-20, -1e-20, 709.7, 709.79, 710, -745.1, -745.3, -800, NaN, Infinity, -Infinity, 1];
    const xs = [...edges, ...Array.from({ length: 100_000 }, (_, i) => (i % 2 ? (rng.double() - 0.5) * 1400 : (rng.double() - 0.5) * 2))];
    const got = vectorMath(simd, 0, xs)!;
    let worst = 0;
    xs.forEach((x, i) => {
      expect(Object.is(got[i], fastExp(x)), `exp(${x})`).toBe(true);
      const want = Math.exp(x);
      if (Number.isFinite(x) && want > 2.3e-308 && want < Infinity) worst = Math.max(worst, Math.abs(got[i] - want) / want / ULP);
    });
    expect(worst).toBeLessThanOrEqual(2);
  });
  it('are fastLog bit for bit: within 1 ulp of Math.log on [1/8, 0.999], 4.5e-16 on [1/8, 1], Math.log outside', () => {
    const edges = [0.125, 0.125 + 2 ** -55, 0.5, 1 - 2 ** -53, 1, 0, 1e-300, 0.1249, 1 + 2 ** -52, 2, Infinity, -1, NaN];
    const xs = [...edges, ...Array.from({ length: 100_000 }, (_, i) => (i % 10 ? 0.125 + 0.875 * rng.double() : 2 * rng.double()))];
    const got = vectorMath(simd, 1, xs)!;
    let [worst, worstUlps] = [0, 0];
    xs.forEach((x, i) => {
      expect(Object.is(got[i], fastLog(x)), `log(${x})`).toBe(true);
      const want = Math.log(x);
      if (x >= 0.125 && x <= 1) worst = Math.max(worst, Math.abs(got[i] - want));
      // Relative to the result's ulp, away from 1 (where ln x goes to 0 and only the absolute bound holds).
      if (x >= 0.125 && x <= 0.999) worstUlps = Math.max(worstUlps, Math.abs(got[i] - want) / 2 ** (Math.floor(Math.log2(-want)) - 52));
    });
    expect(worst).toBeLessThanOrEqual(4.5e-16);
    expect(worstUlps).toBeLessThanOrEqual(1);
  });
  it('are not in the scalar build', () => {
    expect(vectorMath(mathInstance(compileKernelBuild('scalar')), 0, [1, 2])).toBeUndefined();
  });
});

describe('the two builds', () => {
  afterEach(() => useKernelModule(builtKernel));
  it('each agree with the reference day loop on every metric and series cell, on an odd number of paths', async () => {
    const doc = uncertainDoc();
    doc.mitigation.decision = 'expected';
    const loaded = await loadDoc(doc);
    for (const build of ['simd', 'scalar'] as const) {
      useKernelModule(compileKernelBuild(build));
      const divergence = firstDivergence(loaded, 5, 61);
      expect(divergence && describeDivergence(divergence), build).toBeUndefined();
    }
  });

  it('the SIMD build runs where WebAssembly accepts it, the scalar one otherwise or when asked', () => {
    const bytes = new Uint8Array(8);
    expect(chooseKernelBuild(bytes, () => true, undefined)).toBe('simd');
    expect(chooseKernelBuild(bytes, () => true, 'simd')).toBe('simd');
    expect(chooseKernelBuild(bytes, () => false, undefined)).toBe('scalar');
    expect(chooseKernelBuild(bytes, () => true, 'scalar')).toBe('scalar');
    expect(() => chooseKernelBuild(bytes, () => false, 'simd')).toThrow(/cannot compile the SIMD day loop/);
    expect(() => chooseKernelBuild(bytes, () => true, 'fast')).toThrow('ACCESSGAP_KERNEL: expected simd or scalar, found "fast"');
  });
});
