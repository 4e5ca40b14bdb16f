/** Parameter pieces every strategy schema is built from. */
import { z } from 'zod';

/** `long` (default) or `long-short`. */
export const modeParam = z.enum(['long', 'long-short']).default('long');

/** A look-back length in bars; command-line strings are coerced. */
export const periodParam = (fallback: number) => z.coerce.number().int().min(1).max(10_000).default(fallback);

/** A positive real number (band widths, thresholds). */
export const positiveParam = (fallback: number) => z.coerce.number().positive().default(fallback);
