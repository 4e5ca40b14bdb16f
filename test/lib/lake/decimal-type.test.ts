import { describe, expect, it } from 'vitest';
import { decimalPlaces, decimalTypeFor } from '../../../lib/lake/decimal-type.ts';

describe('decimalPlaces', () => {
  it.each([
    [43210.12, 2],
    [1, 0],
    [0.00001234, 8],
    [1e-7, 7],
    [1.5e-7, 8],
    [123456789.123, 3],
  ])('%d has %d decimals', (value, places) => {
    expect(decimalPlaces(value)).toBe(places);
  });
});

describe('decimalTypeFor', () => {
  it('uses the most decimals any value needs, in an INT64-backed decimal when it fits', () => {
    expect(decimalTypeFor([43210.12, 43209.5, 43000])).toEqual({ width: 18, scale: 2, sql: 'DECIMAL(18,2)' });
  });
  it('widens to 38 digits when 18 cannot hold integer digits plus scale', () => {
    expect(decimalTypeFor([1234567890123.5, 0.000001]).width).toBe(38);
  });
  it('caps float noise at 12 decimals', () => {
    expect(decimalTypeFor([0.1 + 0.2]).scale).toBe(12);
  });
});

describe('decimalTypeFor at the 18-digit edge', () => {
  it('keeps 12 integer digits with 6 decimals in 18', () => {
    expect(decimalTypeFor([123456789012.5, 0.000001]).width).toBe(18);
  });
});
