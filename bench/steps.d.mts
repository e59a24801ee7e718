/** bench/steps.mjs: [a passage of src/wasm/kernel.ts, the step's name], in the day loop's order. */
export const STEPS: [string, string][];
/** The kernel's source with mark(step) at each step's passage; throws when a passage is not found once. */
export function instrumentKernelSource(source: string): string;
