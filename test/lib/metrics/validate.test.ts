/** The point checks every sink shares: the input CloudWatch would reject is rejected locally too. */
import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../../lib/metrics/types.ts';
import { metricPointsValidate } from '../../../lib/metrics/validate.ts';

const manyDimensions = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'x']));

describe('metricPointsValidate', () => {
  it.each<[string, MetricPoint]>([
    ['a bare point', { name: 'A', value: 0 }],
    ['a negative fraction', { name: 'A', value: -0.25, unit: 'Percent' }],
    ['30 dimensions', { name: 'A', value: 1, dimensions: Object.fromEntries(Object.entries(manyDimensions).slice(0, 30)) }],
    ['a 255-character name', { name: 'n'.repeat(255), value: 1 }],
    ['a timestamp', { name: 'A', value: 1, timestampMs: 0 }],
  ])('accepts %s', (_label, point) => {
    expect(() => metricPointsValidate([point])).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['an empty name', { name: '', value: 1 }, 'metric point 0 (""): name must be 1–255 characters'],
    ['a 256-character name', { name: 'n'.repeat(256), value: 1 }, 'name must be 1–255 characters'],
    ['NaN', { name: 'A', value: Number.NaN }, 'metric point 0 ("A"): value must be a finite number, got NaN'],
    ['-Infinity', { name: 'A', value: Number.NEGATIVE_INFINITY }, 'value must be a finite number, got -Infinity'],
    ['a string value', { name: 'A', value: '1' }, 'value must be a finite number, got 1'],
    ['an unknown unit', { name: 'A', value: 1, unit: 'Bytes' }, 'unit must be one of Count, None, Seconds, Percent, got Bytes'],
    ['a NaN timestamp', { name: 'A', value: 1, timestampMs: Number.NaN }, 'timestampMs must be a finite number, got NaN'],
    ['31 dimensions', { name: 'A', value: 1, dimensions: manyDimensions }, 'at most 30 dimensions, got 31'],
    ['an empty dimension value', { name: 'A', value: 1, dimensions: { stage: '' } }, 'dimension names and values must be 1–255 characters, got "stage"=""'],
    ['a non-object', null, 'metric point 0: must be an object'],
  ])('rejects %s', (_label, point, message) => {
    expect(() => metricPointsValidate([point as MetricPoint])).toThrow(new RegExp(escape(message)));
  });

  it('names the index of the first bad point', () => {
    expect(() => metricPointsValidate([{ name: 'A', value: 1 }, { name: 'B', value: 2 }, { name: 'C', value: Number.NaN }])).toThrow(
      /^metric point 2 \("C"\)/,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
