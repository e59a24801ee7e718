// Builds dist/: the day loop compiled to WebAssembly by AssemblyScript (src/wasm/kernel.ts ->
// dist/kernel.wasm and dist/kernel-scalar.wasm), then the CLI, the worker entry and the engine API (used by bench/) bundled
// with esbuild (dependencies stay external), mathjs's parser bundled on its own (loaded only when
// a scenario has expressions), and the library's type declarations (dist/types, from src/index.ts). Type
// checking is `npm run typecheck`.
import { build } from 'esbuild';
import asc from 'assemblyscript/asc';

// Two builds of the one source (asconfig.json's targets, its options shared; warning AS201, on
// usize/i32 casts, is off: the kernel is 32-bit only): with WebAssembly SIMD (two paths per f64x2
// in the transcendental chains and the quality updates) and without, for engines that lack it.
// They give the same bits.
for (const [outFile, target] of [['dist/kernel.wasm', 'simd'], ['dist/kernel-scalar.wasm', 'scalar']]) {
  const { error, stderr } = await asc.main(['src/wasm/kernel.ts', '--config', 'asconfig.json', '--target', target, '--outFile', outFile]);
  if (error) {
    console.error(stderr.toString());
    throw error;
  }
}

const bundle = { outdir: 'dist', bundle: true, platform: 'node', format: 'esm', target: 'node20', minifySyntax: true, logLevel: 'warning' };
await build({
  ...bundle,
  entryPoints: { cli: 'src/cli/main.ts', worker: 'src/engine/worker.ts', engine: 'src/engine-api.ts', index: 'src/index.ts' },
  packages: 'external',
  sourcemap: true,
});

// mathjs's parser alone, mathjs bundled in and shaken down to what the parser reaches, loaded by
// src/scenario/expressions.ts on first use (20 ms instead of mathjs/number's 0.5 s).
await build({ ...bundle, entryPoints: { 'mathjs-parser': 'src/scenario/mathjs-parser.ts' } });

// The library's declarations: `import { runScenario } from 'accessgap'` is typed.
const { execFileSync } = await import('node:child_process');
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
