/** scripts/compile-kernel.mjs: the kernel's source compiled with asconfig.json's target. */
export function compileKernelSource(source: string, target: 'simd' | 'scalar'): Promise<WebAssembly.Module>;
