/**
 * Chooses the exact decimal type for a column of numbers. Prices are stored as decimals at the
 * precision they actually carry, which keeps them exact and lets Parquet's delta encoding shrink
 * them to about a third of what doubles cost (see bench/ingest).
 */

/** Decimal places `value` needs to be written exactly (its shortest round-trip form). */
export function decimalPlaces(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return 0;
  const text = Math.abs(value).toString();
  const exp = /e-(\d+)$/.exec(text);
  if (exp) {
    const mantissa = text.slice(0, text.indexOf('e'));
    const fraction = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0;
    return Number(exp[1]) + fraction;
  }
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

function integerDigits(value: number): number {
  const abs = Math.abs(value);
  return abs < 1 ? 1 : Math.floor(Math.log10(abs)) + 1;
}

/** Scale beyond which digits are float noise rather than exchange precision. */
export const MAX_SCALE = 12;

/**
 * The smallest `DECIMAL(width, scale)` holding every value exactly; width 18 (an INT64 in
 * Parquet) whenever the values fit, else 38.
 * @example decimalTypeFor([43210.12, 43209.5]) // { width: 18, scale: 2, sql: 'DECIMAL(18,2)' }
 */
export function decimalTypeFor(values: Iterable<number>): { width: 18 | 38; scale: number; sql: string } {
  let scale = 0;
  let digits = 1;
  for (const value of values) {
    scale = Math.max(scale, decimalPlaces(value));
    digits = Math.max(digits, integerDigits(value));
  }
  scale = Math.min(scale, MAX_SCALE);
  const width = digits + scale <= 18 ? 18 : 38;
  return { width, scale, sql: `DECIMAL(${width},${scale})` };
}
