/** Number formatting for people (tables, charts). Files keep full precision. */

const SYMBOLS: Record<string, string> = { USD: '$', CAD: 'C$', EUR: '€', GBP: '£', JPY: '¥', MYR: 'RM' };

export const currencySymbol = (code: string): string => SYMBOLS[code] ?? `${code} `;

/** $1.2M, -$350k, $0. */
export function formatMoney(x: number, currency = 'USD'): string {
  if (!Number.isFinite(x)) return String(x);
  const sign = x < 0 ? '-' : '';
  const a = Math.abs(x);
  const sym = currencySymbol(currency);
  const scaled = (x: number): string => {
    const [v, suffix] = x >= 1e9 ? [x / 1e9, 'B'] : x >= 1e6 ? [x / 1e6, 'M'] : x >= 1e3 ? [x / 1e3, 'k'] : [x, ''];
    const digits = v >= 100 || suffix === '' ? 0 : v >= 10 ? 1 : 2;
    return `${v.toFixed(digits)}${suffix}`;
  };
  // 999,950 rounds to "1000k": write it as the next unit up ("1.00M").
  let text = scaled(a);
  if (/^1000(\.0+)?[kM]$/.test(text) || text === '1000') text = scaled(a < 1e3 ? 1e3 : a < 1e6 ? 1e6 : 1e9);
  return `${sign}${sym}${text}`;
}

/** 12.3%. */
export const formatPercent = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : String(x));

/** A share of paths or draws as a percentage: 12.3%, and "fewer than 0.1%" (not "0.0%") for a small positive share. */
export const formatShare = (x: number): string => (x > 0 && x < 0.001 ? 'fewer than 0.1%' : formatPercent(x));

/** A number to six significant digits (tables of inputs and indices). */
export const sig6 = (x: number): number => Number(x.toPrecision(6));

/** A cell of a tidy CSV file: the number in full precision, empty for none. */
export const csvNumber = (x: number | null | undefined): string => (x === null || x === undefined ? '' : String(x));

/** "1 path", "20,000 paths". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
