/**
 * Property tests of the supersession rule (lib/lake/live-parts.ts): its algebra over arbitrary
 * listings, and — the point of it — that together with the writers' protocol (plain parts,
 * copy-on-write into compact ranges, compaction, crashes between publish and deletes, recovery)
 * readers applying it always see every written candle exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactPartKey, ohlcvPartKey, parseOhlcvPartKey, type PartRange, type SeriesId } from '../../../lib/lake/keys.ts';
import { liveParts, partitionParts } from '../../../lib/lake/live-parts.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const SERIES: SeriesId[] = [
  { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
  { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' },
];

function part(series: SeriesId, first: number, last: number, generation?: number): PartRange {
  const key = generation === undefined
    ? ohlcvPartKey(series, T0 + first * H, T0 + last * H)
    : compactPartKey('ohlcv', series, T0 + first * H, T0 + last * H, generation);
  return parseOhlcvPartKey(key)!;
}

const arbPart = fc
  .record({ s: fc.integer({ min: 0, max: 1 }), first: fc.integer({ min: 0, max: 40 }), length: fc.integer({ min: 0, max: 20 }), generation: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) })
  .map(({ s, first, length, generation }) => part(SERIES[s]!, first, first + length, generation));
const arbListing = fc.uniqueArray(arbPart, { selector: (p) => p.key, maxLength: 12 });

describe('liveParts algebra', () => {
  it('keeps a subset in input order, and is idempotent', () => {
    fc.assert(fc.property(arbListing, (parts) => {
      const live = liveParts(parts);
      expect(live).toEqual(parts.filter((p) => live.includes(p)));
      expect(liveParts(live)).toEqual(live);
    }));
  });

  it('never empties a folder that has parts (the highest generation is always live)', () => {
    fc.assert(fc.property(arbListing, (parts) => {
      const folders = (ps: readonly PartRange[]) => new Set(ps.map((p) => p.key.slice(0, p.key.lastIndexOf('/'))));
      expect(folders(liveParts(parts))).toEqual(folders(parts));
    }));
  });

  it('deleting any superseded parts (recovery, or a crash half-way through it) changes nothing for readers', () => {
    fc.assert(fc.property(arbListing, fc.infiniteStream(fc.boolean()), (parts, coin) => {
      const { live, superseded } = partitionParts(parts);
      const gone = new Set(superseded.filter(() => coin.next().value).map((p) => p.key));
      expect(liveParts(parts.filter((p) => !gone.has(p.key)))).toEqual(live);
    }));
  });

  it('a part is superseded exactly when a covering compact part of a higher generation (any, for plain parts) shares its folder', () => {
    fc.assert(fc.property(arbListing, (parts) => {
      const { superseded } = partitionParts(parts);
      const folder = (p: PartRange) => p.key.slice(0, p.key.lastIndexOf('/'));
      for (const p of parts) {
        const covered = parts.some((c) => c.generation !== undefined && c !== p && folder(c) === folder(p)
          && c.firstOpenTimeMs <= p.firstOpenTimeMs && c.lastOpenTimeMs >= p.lastOpenTimeMs
          && (p.generation === undefined || p.generation < c.generation));
        expect(superseded.includes(p)).toBe(covered);
      }
    }));
  });

  it('staged objects and unknown files never parse as parts', () => {
    const prefix = 'exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/';
    expect(parseOhlcvPartKey(`${prefix}_staging/compact-20240101T0000Z-20240102T0000Z-g1.parquet`)).toBeUndefined();
    expect(parseOhlcvPartKey(`${prefix}compact-20240101T0000Z-20240102T0000Z.parquet`)).toBeUndefined();
    expect(parseOhlcvPartKey(`${prefix}part-20240101T0000Z-20240102T0000Z-g1.parquet`)).toBeUndefined();
    expect(parseOhlcvPartKey(`${prefix}compact-20240101T0000Z-20240102T0000Z-g12.parquet`)).toEqual({
      key: `${prefix}compact-20240101T0000Z-20240102T0000Z-g12.parquet`, year: 2024,
      firstOpenTimeMs: Date.UTC(2024, 0, 1), lastOpenTimeMs: Date.UTC(2024, 0, 2), generation: 12,
    });
  });
});

// ---- Model of the writers' protocol over one (series, year) partition; times are hour indexes.

interface StoredPart extends PartRange {
  times: number[];
}

type Op =
  | { kind: 'write'; times: number[]; deletesBeforeCrash: number }
  | { kind: 'compact'; deletesBeforeCrash: number }
  | { kind: 'recover' };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('write' as const), times: fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 8 }), deletesBeforeCrash: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('compact' as const), deletesBeforeCrash: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('recover' as const) }) },
);

class PartitionModel {
  readonly stored = new Map<string, StoredPart>();
  readonly written = new Set<number>();

  private put(first: number, last: number, times: number[], generation?: number): StoredPart {
    const stored = { ...part(SERIES[0]!, first, last, generation), times };
    if (this.stored.has(stored.key)) throw new Error(`key reused: ${stored.key}`);
    this.stored.set(stored.key, stored);
    return stored;
  }

  live(): StoredPart[] {
    return liveParts([...this.stored.values()]);
  }

  /** Publishes one compact part holding `inputs` plus `extra`, then deletes the first `deletes` inputs (a crash stops the rest). */
  private merge(inputs: StoredPart[], extra: number[], generation: number, deletes: number): void {
    const times = [...new Set([...inputs.flatMap((p) => p.times), ...extra])].sort((a, b) => a - b);
    const first = Math.min(times[0]!, ...inputs.map((p) => (p.firstOpenTimeMs - T0) / H));
    const last = Math.max(times.at(-1)!, ...inputs.map((p) => (p.lastOpenTimeMs - T0) / H));
    this.put(first, last, times, generation);
    for (const p of inputs.slice(0, deletes)) this.stored.delete(p.key);
  }

  apply(op: Op): void {
    const live = this.live();
    if (op.kind === 'recover') {
      for (const p of partitionParts([...this.stored.values()]).superseded) this.stored.delete(p.key);
    } else if (op.kind === 'compact') {
      if (live.length < 2) return;
      this.merge(live, [], 1 + Math.max(0, ...[...this.stored.values()].map((p) => p.generation ?? 0)), op.deletesBeforeCrash);
    } else {
      // ohlcvWrite: skip stored candles; into a compact range means rewriting the year.
      const storedTimes = new Set(live.flatMap((p) => p.times));
      const fresh = op.times.filter((t) => !storedTimes.has(t)).sort((a, b) => a - b);
      if (fresh.length === 0) return;
      for (const t of fresh) this.written.add(t);
      const inside = fresh.some((t) => live.some((p) => p.generation !== undefined && T0 + t * H >= p.firstOpenTimeMs && T0 + t * H <= p.lastOpenTimeMs));
      if (inside) this.merge(live, fresh, 1 + Math.max(0, ...live.map((p) => p.generation ?? 0)), op.deletesBeforeCrash);
      else this.put(fresh[0]!, fresh.at(-1)!, fresh);
    }
  }
}

describe('the supersession rule with the writers and compaction', () => {
  it('readers see every written candle exactly once after any sequence of writes, compactions, crashes and recoveries', () => {
    fc.assert(fc.property(fc.array(arbOp, { maxLength: 25 }), (ops) => {
      const model = new PartitionModel();
      for (const op of ops) {
        model.apply(op);
        const seen = model.live().flatMap((p) => p.times).sort((a, b) => a - b);
        expect(seen).toEqual([...model.written].sort((a, b) => a - b));
      }
    }), { numRuns: 300 });
  });
});
