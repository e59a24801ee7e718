/** Money for people: never "$1000k"; the rounding carries into the next unit. */
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/format.js';

describe('formatMoney', () => {
  it('carries a rounding to 1000 into the next unit, never printing $1000k', () => {
    expect(formatMoney(999_950)).toBe('$1.00M');
    expect(formatMoney(999.6)).toBe('$1.00k');
    expect(formatMoney(999_999_999)).toBe('$1.00B');
    expect(formatMoney(-999_960)).toBe('-$1.00M');
    expect(formatMoney(999_499)).toBe('$999k');
    expect(formatMoney(12_345)).toBe('$12.3k');
    expect(formatMoney(0)).toBe('$0');
  });
});
