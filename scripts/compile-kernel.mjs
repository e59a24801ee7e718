// The day loop's source (src/wasm/kernel.ts, possibly edited) compiled as the build compiles it:
// asconfig.json's options and target, beside a copy of src/wasm/layout.ts. For the tests that
// compile an edited kernel (test/engine/differential.test.ts, test/engine/breakdown.test.ts) and
// the benchmark's step breakdown (bench/breakdown.mjs). The build itself compiles the file in
// place (scripts/build.mjs), so its errors name src/wasm/kernel.ts.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';

/** `source` compiled with asconfig.json's `target` ('simd' or 'scalar'); throws with the compiler's messages. */
export async function compileKernelSource(source, target) {
  const dir = mkdtempSync(join(tmpdir(), 'accessgap-kernel-'));
  try {
    writeFileSync(join(dir, 'kernel.ts'), source);
    copyFileSync('src/wasm/layout.ts', join(dir, 'layout.ts'));
    const { error, stderr } = await asc.main([join(dir, 'kernel.ts'), '--config', 'asconfig.json', '--target', target, '--outFile', join(dir, 'kernel.wasm')]);
    if (error) throw new Error(stderr.toString());
    return new WebAssembly.Module(readFileSync(join(dir, 'kernel.wasm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
