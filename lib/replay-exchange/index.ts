/**
 * The replay exchange: the Binance and alternative.me stand-ins the tests use, started together
 * on loopback with the realistic synthetic market (GARCH volatility clustering, regimes, fat
 * tails) and a few exchange-side gaps. What `candlelake demo` runs against. Every price it serves
 * is SYNTHETIC.
 */
import { startAlternativeMeStandIn, type AlternativeMeStandIn } from './alternative-me/index.ts';
import { defaultStandInMarkets, startBinanceStandIn, type BinanceStandIn, type GapRange } from './binance/index.ts';

export { startAlternativeMeStandIn } from './alternative-me/index.ts';
export { startBinanceStandIn, defaultStandInMarkets } from './binance/index.ts';
export { GarchPath, GARCH_DEFAULTS, type GarchParams } from './binance/garch-path.ts';

/** Options of {@link startReplayExchange}. */
export interface ReplayExchangeOptions {
  /** Days of history the lake will ask for; markets are listed 30 days before that. */
  days: number;
  /** Exchange ids (`BTCUSDT`) that get the outages; the first one also gets its own 2 h gap. */
  gapSymbols?: readonly string[];
  /** Seed of the synthetic market. Default 1. */
  seed?: number;
  /** Market clock. Default `Date.now`. */
  now?: () => number;
}

/** A running replay exchange. */
export interface ReplayExchange {
  /** Binance origin (spot, USD-M, futures data): `exchange.baseUrl`. */
  binanceUrl: string;
  /** alternative.me origin: `sentiment.fearGreedUrl`. */
  fearGreedUrl: string;
  /** The exchange-side gaps it serves (15m candles that do not exist). */
  gaps: GapRange[];
  binance: BinanceStandIn;
  fearGreed: AlternativeMeStandIn;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Starts Binance + alternative.me on free loopback ports.
 * @example
 * const replay = await startReplayExchange({ days: 365, gapSymbols: ['BTCUSDT'] });
 * // config: exchange.baseUrl = replay.binanceUrl, sentiment.fearGreedUrl = replay.fearGreedUrl
 * await replay.close();
 */
export async function startReplayExchange(options: ReplayExchangeOptions): Promise<ReplayExchange> {
  const now = options.now ?? Date.now;
  const nowMs = now();
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const listedAtMs = today - (options.days + 30) * DAY_MS;
  const markets = defaultStandInMarkets().map((market) => ({ ...market, listedAtMs }));
  const binance = await startBinanceStandIn({
    markets, now, priceModel: 'garch', seed: options.seed ?? 1,
    // Loopback only: the lake's own rate budget paces the client; this just never refuses it.
    weightLimitPerMinute: 1_000_000,
  });
  const fearGreed = await startAlternativeMeStandIn({ now, startMs: listedAtMs }).catch(async (error: unknown) => {
    await binance.close();
    throw error;
  });
  const gaps = replayGaps(today, options.days, options.gapSymbols ?? []);
  for (const gap of gaps) binance.gaps.add(gap);
  return {
    binanceUrl: binance.url,
    fearGreedUrl: fearGreed.url,
    gaps,
    binance,
    fearGreed,
    close: async () => {
      await Promise.all([binance.close(), fearGreed.close()]);
    },
  };
}

/**
 * The outages the replay serves: 45 minutes on the given symbols ~60% of the way back, and 2 h on
 * the first one ~30% back. Symbol-scoped, so the rest of the universe stays complete.
 * @example replayGaps(Date.UTC(2024, 5, 10), 365, ['BTCUSDT']).length // 2
 */
export function replayGaps(todayMs: number, days: number, symbols: readonly string[]): GapRange[] {
  const gaps: GapRange[] = [];
  const outageMs = todayMs - Math.max(2, Math.floor(days * 0.6)) * DAY_MS + 9 * HOUR_MS;
  for (const symbol of symbols) gaps.push({ symbol, fromMs: outageMs, toMs: outageMs + 45 * 60_000 });
  const first = symbols[0];
  if (first !== undefined) {
    const fromMs = todayMs - Math.max(1, Math.floor(days * 0.3)) * DAY_MS + 14 * HOUR_MS;
    gaps.push({ symbol: first, fromMs, toMs: fromMs + 2 * HOUR_MS });
  }
  return gaps;
}
