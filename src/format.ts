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

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_MS = 86_400_000;
const utc = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

/** A date as a court writes it: "June 12, 2026". */
export const formatDate = (iso: string): string => {
  const d = new Date(utc(iso));
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
};

/** Whole days from one YYYY-MM-DD date to another. */
export const daysBetween = (from: string, to: string): number => Math.round((utc(to) - utc(from)) / DAY_MS);

/** The date n days after a YYYY-MM-DD date (n may be negative). */
export const addDays = (iso: string, n: number): string => new Date(utc(iso) + n * DAY_MS).toISOString().slice(0, 10);

/** The date of the same day k months later, clamped to the month's last day (January 31 + 1 month: February 28). */
export function addMonths(iso: string, k: number): string {
  const d = new Date(utc(iso));
  const [y, m] = [d.getUTCFullYear(), d.getUTCMonth() + k];
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last))).toISOString().slice(0, 10);
}

/**
 * The model's days on the calendar: `date` is the calendar date of day `day` (the revocation's
 * first day, revocation.start_day, on exhibit.revocation_date).
 */
export interface Calendar {
  date: string;
  day: number;
}

export const dateOfDay = (c: Calendar, day: number): string => addDays(c.date, day - c.day);
export const dayOfDate = (c: Calendar, iso: string): number => c.day + daysBetween(c.date, iso);
