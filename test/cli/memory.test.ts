/**
 * collectGarbage (cli/memory.ts): V8's gc obtained at run time, so what nothing reaches is gone
 * once it returns (a large run's report relies on it to drop its sketch grid before drawing).
 */
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/cli/memory.js';

describe('collectGarbage', () => {
  it('collects what nothing reaches, without --expose-gc', async () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const ref = (() => new WeakRef(new Float64Array(1 << 20)))();
    // A WeakRef's target stays alive to the end of the job that made it or read it.
    const nextJob = () => new Promise((resolve) => setImmediate(resolve));
    await nextJob();
    expect(ref.deref()).toBeDefined();
    await nextJob();
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    // Later contexts are not given gc.
    expect((await import('node:vm')).runInNewContext('typeof gc')).toBe('undefined');
  });
});
