// Bundles the CLI, the worker entry and the engine API (used by bench/) with esbuild (dependencies stay external, so mathjs
// is loaded only when a scenario has expressions). Type checking is `npm run typecheck`.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli/main.ts', worker: 'src/engine/worker.ts', engine: 'src/engine/index.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  minifySyntax: true,
  logLevel: 'warning',
});
