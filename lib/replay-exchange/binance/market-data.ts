/**
 * Synthetic candles: deterministic and stateless, so any page of any symbol can be computed
 * on its own, in any order, without replaying history.
 *
 * The price at time t is `basePrice × exp(waves(t) + noise(t))`: a few sinusoids with periods
 * from hours to years (trend and cycles) plus hash-based noise fixed at each 15m boundary and
 * interpolated in between. Only 15m candles are generated; every longer interval is an
 * aggregate of the 15m candles it covers, so timeframes agree exactly, including around gaps.
 *
 * That is the default model (`'waves'`), which the test suite is built on. The replay exchange of
 * `candlelake demo` uses `'garch'` instead (lib/replay-exchange/binance/garch-path.ts): volatility
 * clustering, regimes, fat tails, wicks and volume that scale with volatility. Both are synthetic.
 */
import type { DecimalUnit } from './decimals.ts';
import { GarchPath } from './garch-path.ts';

/** The generated timeframe; everything else is built from it. */
export const BASE_INTERVAL_MS = 15 * 60_000;

/** Intervals served, all multiples of 15m and aligned to the epoch (1d opens at 00:00 UTC). */
export const INTERVALS_MS: Readonly<Record<string, number>> = {
  '15m': BASE_INTERVAL_MS,
  '30m': 30 * 60_000,
  '1h': 60 * 60_000,
  '2h': 2 * 60 * 60_000,
  '4h': 4 * 60 * 60_000,
  '1d': 24 * 60 * 60_000,
};

/** One candle in exact units: prices in ticks, base quantities in steps. */
export interface Candle {
  openTime: number;
  /** `openTime + interval − 1`, in the future for the current candle, as Binance does. */
  closeTime: number;
  openTicks: number;
  highTicks: number;
  lowTicks: number;
  closeTicks: number;
  volumeSteps: number;
  /** Quote volume, ≈ volume × price; not quantized. */
  quoteVolume: number;
  trades: number;
  takerBuySteps: number;
  takerBuyQuote: number;
}

/** What a series needs to know about its market. */
export interface SeriesSpec {
  symbol: string;
  basePrice: number;
  tick: DecimalUnit;
  step: DecimalUnit;
  listedAtMs: number;
  /** Price model: `'waves'` (default, stateless) or `'garch'` (path from the listing on). */
  priceModel?: PriceModelName;
  /** Seed of the `'garch'` model (with the symbol); default 1. */
  seed?: number;
}

/** The synthetic price models. */
export type PriceModelName = 'waves' | 'garch';

/** Which candles exist at the moment of a request. */
export interface SeriesView {
  /** Market time: the candle containing it is the current, unfinished one; none after it. */
  nowMs: number;
  /** True when the 15m candle opening at this time is missing on the exchange (a gap). */
  isMissing(openTimeMs: number): boolean;
}

const DAY_MS = 86_400_000;

/** Periods (days) and log-amplitudes of the waves, before the per-symbol jitter. */
const WAVES: ReadonlyArray<{ periodDays: number; amplitude: number }> = [
  { periodDays: 0.25, amplitude: 0.003 },
  { periodDays: 1.7, amplitude: 0.012 },
  { periodDays: 6.3, amplitude: 0.03 },
  { periodDays: 23, amplitude: 0.07 },
  { periodDays: 71, amplitude: 0.15 },
  { periodDays: 240, amplitude: 0.3 },
  { periodDays: 730, amplitude: 0.45 },
];

/** Noise at each 15m boundary, in log-price; consecutive closes then differ by ~0.3%. */
const NOISE_SIGMA = 0.002;
/** Largest wick beyond the body, as a fraction of price. */
const MAX_WICK = 0.004;

/** Salts keep the hash streams of one symbol independent of each other. */
const SALT = { noise: 1, high: 2, low: 3, volume: 4, taker: 5, trades: 6, wave: 7 } as const;

/**
 * The candles of one market.
 * @example
 * const series = new CandleSeries({ symbol: 'BTCUSDT', basePrice: 60000, tick, step, listedAtMs: 0 });
 * series.candle(INTERVALS_MS['1h']!, Date.UTC(2024, 0, 1), { nowMs: Date.now(), isMissing: () => false });
 */
export class CandleSeries {
  private readonly seed: number;
  private readonly waves: ReadonlyArray<{ radiansPerMs: number; amplitude: number; phase: number }>;
  /** Typical quote volume of a full 15m candle; bigger coins trade more. */
  private readonly quoteScale: number;
  /** Set for the `'garch'` model only. */
  private readonly garch: GarchPath | undefined;

  constructor(private readonly spec: SeriesSpec) {
    this.garch = spec.priceModel === 'garch' ? new GarchPath({ symbol: spec.symbol, seed: spec.seed ?? 1, originMs: spec.listedAtMs }) : undefined;
    this.seed = seedOf(spec.symbol);
    this.waves = WAVES.map((wave, index) => {
      const periodMs = wave.periodDays * DAY_MS * (0.8 + 0.45 * hash01(this.seed, index, SALT.wave));
      return {
        radiansPerMs: (2 * Math.PI) / periodMs,
        amplitude: wave.amplitude,
        phase: 2 * Math.PI * hash01(this.seed, index + 100, SALT.wave),
      };
    });
    this.quoteScale = 1_000_000 * (1 + Math.log10(1 + spec.basePrice));
  }

  /** The synthetic price at any instant, before rounding to the tick. */
  priceAt(timeMs: number): number {
    if (this.garch !== undefined) return this.garchPriceAt(this.garch, timeMs);
    let logPrice = 0;
    for (const wave of this.waves) logPrice += wave.amplitude * Math.sin(wave.radiansPerMs * timeMs + wave.phase);
    const index = Math.floor(timeMs / BASE_INTERVAL_MS);
    const fraction = (timeMs - index * BASE_INTERVAL_MS) / BASE_INTERVAL_MS;
    const noise = (1 - fraction) * this.noiseAt(index) + (fraction === 0 ? 0 : fraction * this.noiseAt(index + 1));
    return this.spec.basePrice * Math.exp(logPrice + noise);
  }

  /** Open time of the first candle of this interval that can exist (the one holding the listing). */
  firstOpenTime(intervalMs: number): number {
    return alignDown(alignDown(this.spec.listedAtMs, BASE_INTERVAL_MS), intervalMs);
  }

  /**
   * The candle of `intervalMs` opening at `openTime`, aggregated from the 15m candles of its
   * window that exist; undefined when none does (before listing, after now, or all in a gap).
   */
  candle(intervalMs: number, openTime: number, view: SeriesView): Candle | undefined {
    let aggregate: Candle | undefined;
    for (let t = openTime; t < openTime + intervalMs; t += BASE_INTERVAL_MS) {
      if (!this.baseExists(t, view)) continue;
      const part = this.baseCandle(t, view.nowMs);
      aggregate = aggregate === undefined ? { ...part } : mergeInto(aggregate, part);
    }
    if (aggregate !== undefined) {
      // Binance keeps a partly missing candle on its interval grid: the open time is the window's start.
      aggregate.openTime = openTime;
      aggregate.closeTime = openTime + intervalMs - 1;
    }
    return aggregate;
  }

  private baseExists(openTime: number, view: SeriesView): boolean {
    // The 15m candle holding the listing instant is the first one; the one holding now is the last.
    return openTime + BASE_INTERVAL_MS > this.spec.listedAtMs && openTime <= view.nowMs && !view.isMissing(openTime);
  }

  private baseCandle(openTime: number, nowMs: number): Candle {
    if (this.garch !== undefined) return this.garchCandle(this.garch, openTime, nowMs);
    const index = openTime / BASE_INTERVAL_MS;
    const closeAt = openTime + BASE_INTERVAL_MS;
    // The current candle closes at the price of now and has only traded part of its volume.
    const elapsed = nowMs < closeAt ? (nowMs - openTime) / BASE_INTERVAL_MS : 1;
    const openTicks = this.ticksAt(openTime);
    const closeTicks = this.ticksAt(Math.min(closeAt, nowMs));
    const top = Math.max(openTicks, closeTicks);
    const bottom = Math.min(openTicks, closeTicks);
    // Squaring the uniform keeps most wicks short and a few long, as in real charts.
    const highTicks = Math.round(top * (1 + MAX_WICK * hash01(this.seed, index, SALT.high) ** 2));
    const lowTicks = Math.max(1, Math.round(bottom * (1 - MAX_WICK * hash01(this.seed, index, SALT.low) ** 2)));

    const movePct = (100 * Math.abs(closeTicks - openTicks)) / openTicks;
    // Volume grows with the size of the move, as it does on real exchanges.
    const fullQuote = this.quoteScale * (0.4 + 1.2 * hash01(this.seed, index, SALT.volume)) * (1 + movePct);
    return this.withVolume(index, openTime, elapsed, { openTicks, highTicks, lowTicks, closeTicks }, fullQuote);
  }

  /** Log-linear between the path's 15m boundaries. */
  private garchPriceAt(path: GarchPath, timeMs: number): number {
    const index = Math.floor(timeMs / BASE_INTERVAL_MS);
    const fraction = (timeMs - index * BASE_INTERVAL_MS) / BASE_INTERVAL_MS;
    const logPrice = fraction === 0 ? path.logPriceAt(index) : (1 - fraction) * path.logPriceAt(index) + fraction * path.logPriceAt(index + 1);
    return this.spec.basePrice * Math.exp(logPrice);
  }

  /**
   * A 15m candle of the `'garch'` model: wicks exponential with the candle's conditional
   * volatility; volume proportional to it and to the size of the move, with an intraday cycle
   * (busiest around 14:00 UTC) and lognormal noise.
   */
  private garchCandle(path: GarchPath, openTime: number, nowMs: number): Candle {
    const index = openTime / BASE_INTERVAL_MS;
    const closeAt = openTime + BASE_INTERVAL_MS;
    const elapsed = nowMs < closeAt ? (nowMs - openTime) / BASE_INTERVAL_MS : 1;
    const sigma = path.sigmaAt(index);
    const typical = path.typicalSigma();
    const openTicks = this.ticksAt(openTime);
    const closeTicks = this.ticksAt(Math.min(closeAt, nowMs));
    const top = Math.max(openTicks, closeTicks);
    const bottom = Math.min(openTicks, closeTicks);
    const wick = (salt: number) => 0.5 * sigma * -Math.log(1 - hash01(this.seed, index, salt));
    const highTicks = Math.round(top * Math.exp(wick(SALT.high)));
    const lowTicks = Math.max(1, Math.round(bottom * Math.exp(-wick(SALT.low))));

    const absReturn = Math.abs(Math.log(closeTicks / openTicks));
    const hourUtc = (openTime % 86_400_000) / 3_600_000;
    const intraday = 1 + 0.35 * Math.cos((2 * Math.PI * (hourUtc - 14)) / 24);
    const noise = Math.exp(0.3 * (hash01(this.seed, index, SALT.volume) + hash01(this.seed, index + 0x10000000, SALT.volume) - 1) * 2.45);
    const activity = (0.35 * sigma + 0.8 * absReturn) / typical;
    const fullQuote = this.quoteScale * intraday * noise * activity;
    return this.withVolume(index, openTime, elapsed, { openTicks, highTicks, lowTicks, closeTicks }, fullQuote);
  }

  /**
   * The volume side of a candle, the same for every price model: `fullQuote` traded over the
   * whole candle (so far `elapsed` of it), rounded to lot steps, with taker share and trade count.
   */
  private withVolume(
    index: number,
    openTime: number,
    elapsed: number,
    ticks: { openTicks: number; highTicks: number; lowTicks: number; closeTicks: number },
    fullQuote: number,
  ): Candle {
    const closePrice = ticks.closeTicks * this.spec.tick.value;
    const volumeSteps = Math.max(1, Math.round((fullQuote * elapsed) / closePrice / this.spec.step.value));
    const volume = volumeSteps * this.spec.step.value;
    const takerBuySteps = Math.round(volumeSteps * (0.35 + 0.3 * hash01(this.seed, index, SALT.taker)));
    const trades = Math.max(1, Math.round(((fullQuote * elapsed) / 2000) * (0.8 + 0.4 * hash01(this.seed, index, SALT.trades))));
    return {
      openTime,
      closeTime: openTime + BASE_INTERVAL_MS - 1,
      ...ticks,
      volumeSteps,
      quoteVolume: volume * closePrice,
      trades,
      takerBuySteps,
      takerBuyQuote: takerBuySteps * this.spec.step.value * closePrice,
    };
  }

  private ticksAt(timeMs: number): number {
    return Math.max(1, Math.round(this.priceAt(timeMs) / this.spec.tick.value));
  }

  /** Roughly normal noise (sum of three uniforms, unit variance) scaled to NOISE_SIGMA. */
  private noiseAt(index: number): number {
    const sum =
      hash01(this.seed, index, SALT.noise) +
      hash01(this.seed, index + 0x10000000, SALT.noise) +
      hash01(this.seed, index + 0x20000000, SALT.noise);
    return NOISE_SIGMA * 2 * (sum - 1.5);
  }
}

/**
 * Rounds a time down to a multiple of the interval (all intervals are epoch-aligned in UTC).
 * @example alignDown(Date.UTC(2024, 0, 1, 0, 20), 15 * 60_000) // Date.UTC(2024, 0, 1, 0, 15)
 */
export function alignDown(timeMs: number, intervalMs: number): number {
  return Math.floor(timeMs / intervalMs) * intervalMs;
}

/**
 * Rounds a time up to a multiple of the interval.
 * @example alignUp(Date.UTC(2024, 0, 1, 0, 20), 15 * 60_000) // Date.UTC(2024, 0, 1, 0, 30)
 */
export function alignUp(timeMs: number, intervalMs: number): number {
  return Math.ceil(timeMs / intervalMs) * intervalMs;
}

function mergeInto(into: Candle, next: Candle): Candle {
  into.highTicks = Math.max(into.highTicks, next.highTicks);
  into.lowTicks = Math.min(into.lowTicks, next.lowTicks);
  into.closeTicks = next.closeTicks;
  into.volumeSteps += next.volumeSteps;
  into.quoteVolume += next.quoteVolume;
  into.trades += next.trades;
  into.takerBuySteps += next.takerBuySteps;
  into.takerBuyQuote += next.takerBuyQuote;
  return into;
}

/** FNV-1a of the symbol: a stable 32-bit seed. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A uniform number in [0, 1) from (seed, index, salt); lowbias32 mixing. */
function hash01(seed: number, index: number, salt: number): number {
  let h = seed ^ Math.imul(index | 0, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
