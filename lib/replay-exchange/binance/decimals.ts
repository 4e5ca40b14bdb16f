/**
 * Exact decimal strings for prices and quantities. Candles are computed as whole numbers of
 * ticks and steps, and only turned into text here, so a string like "60000.01000000" parses
 * to exactly the rounded value instead of picking up float noise such as 60000.010000000002.
 */

/** A tick or step size, kept both as text and as an exact scaled integer. */
export interface DecimalUnit {
  /** As given, e.g. `'0.01'`. */
  text: string;
  /** Digits after the point, e.g. 2. */
  decimals: number;
  /** The size times 10^decimals, e.g. 1n. */
  scaled: bigint;
  /** The size as a float, for arithmetic that is rounded afterwards. */
  value: number;
}

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a positive decimal such as a tick size; rejects anything else loudly.
 * @example parseDecimalUnit('0.00001') // { decimals: 5, scaled: 1n, value: 0.00001, ... }
 */
export function parseDecimalUnit(text: string): DecimalUnit {
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) throw new Error(`not a plain positive decimal: "${text}"`);
  const fraction = match[2] ?? '';
  const scaled = BigInt(`${match[1]}${fraction}`);
  if (scaled <= 0n) throw new Error(`decimal must be greater than zero: "${text}"`);
  return { text, decimals: fraction.length, scaled, value: Number(text) };
}

/**
 * Writes `count × unit` with exactly `decimals` digits after the point (at least the unit's own).
 * @example formatMultiple(6000001, parseDecimalUnit('0.01'), 8) // '60000.01000000'
 */
export function formatMultiple(count: number, unit: DecimalUnit, decimals: number): string {
  if (!Number.isSafeInteger(count)) throw new Error(`count must be a safe integer, got ${count}`);
  const digits = Math.max(decimals, unit.decimals);
  const scaled = BigInt(count) * unit.scaled * 10n ** BigInt(digits - unit.decimals);
  return placePoint(scaled, digits);
}

/**
 * Re-writes a decimal string with exactly `decimals` digits after the point, padding with zeros.
 * @example padDecimal('5', 8) // '5.00000000'
 */
export function padDecimal(text: string, decimals: number): string {
  const unit = parseDecimalUnit(text);
  return formatMultiple(1, unit, decimals);
}

function placePoint(scaled: bigint, decimals: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${fraction}` : ''}`;
}
