/**
 * The replay exchange's realistic synthetic market (`priceModel: 'garch'`): a log-price path on
 * the 15m grid whose returns have volatility clustering, slow trending regimes, fat tails and a
 * common market factor, so backtests and charts see something that behaves like crypto. It is
 * SYNTHETIC: no real price is replayed.
 *
 * Per 15m step t, for one symbol with market beta b:
 *
 *     r_t = b · m_t + e_t − κ · x_{t−1}          x_t = x_{t−1} + r_t  (x = log(price / basePrice))
 *     m_t = μ(regime_t) + √h_t · z_t              h_t = ω(regime_t) + α · (m_{t−1} − μ)² + β · h_{t−1}
 *     e_t = √g_t · z'_t                           g_t = ω'        + α' · e²_{t−1}       + β' · g_{t−1}
 *
 * with z, z' Student-t (5 degrees of freedom, unit variance, clipped at ±8) and the regime a
 * Markov chain (bear / sideways / bull) that changes every ~45 days on average and scales both
 * drift and long-run variance. The market factor m is the same for every symbol with the same
 * origin and global seed; e is the symbol's own. κ pulls the price back towards its base level
 * over about a year so long series stay in range.
 *
 * Deterministic: every random draw is a hash of (seed, step, salt), so the path depends only on
 * the seed, the symbol and the origin, never on the order pages are asked for. The path is grown
 * lazily from the origin and kept in memory (12 bytes per step: ~420 KB per symbol-year).
 */

/** Parameters of the model; {@link GARCH_DEFAULTS} holds the values the replay exchange uses. */
export interface GarchParams {
  /** Long-run annualised volatility of the market factor (sideways regime scaled by its multiplier). */
  marketVolAnnual: number;
  /** Long-run annualised volatility of each symbol's own component. */
  idioVolAnnual: number;
  /** GARCH(1,1) reaction α and persistence β per 15m step, market factor. α + β < 1. */
  alpha: number;
  beta: number;
  /** The same for the idiosyncratic component. */
  idioAlpha: number;
  idioBeta: number;
  /** Student-t degrees of freedom of the innovations (> 2). */
  tailDf: number;
  /** Mean regime length in days. */
  regimeDays: number;
  /** Per-regime annualised log drift and volatility multiplier. */
  regimes: ReadonlyArray<{ name: string; driftAnnual: number; volMultiplier: number }>;
  /** Market betas are drawn uniformly from this range per symbol. */
  betaRange: readonly [number, number];
  /** Mean reversion of log-price towards the base level, per year. */
  reversionPerYear: number;
}

/** The replay exchange's parameters: ~65% annual volatility, persistence 0.99 per 15m. */
export const GARCH_DEFAULTS: GarchParams = {
  marketVolAnnual: 0.5,
  idioVolAnnual: 0.35,
  alpha: 0.05,
  beta: 0.94,
  idioAlpha: 0.04,
  idioBeta: 0.95,
  tailDf: 5,
  regimeDays: 45,
  regimes: [
    { name: 'bear', driftAnnual: -0.9, volMultiplier: 1.3 },
    { name: 'sideways', driftAnnual: 0, volMultiplier: 0.75 },
    { name: 'bull', driftAnnual: 1.1, volMultiplier: 1.0 },
  ],
  betaRange: [0.7, 1.3],
  reversionPerYear: 1,
};

const STEP_MS = 15 * 60_000;
const STEPS_PER_YEAR = (365 * 86_400_000) / STEP_MS;
/** Innovations beyond this many standard deviations are clipped (keeps 1d moves plausible). */
const MAX_Z = 8;
/** Conditional variance is capped at this multiple of its long-run level. */
const MAX_VARIANCE_RATIO = 9;

/** Salts keep the hash streams independent. */
const SALT = { marketZ: 11, idioZ: 23, regime: 37, beta: 41 } as const;

/**
 * One symbol's synthetic log-price path on the 15m grid, from `originMs` on.
 * @example
 * const path = new GarchPath({ symbol: 'BTCUSDT', seed: 42, originMs: Date.UTC(2024, 0, 1) });
 * path.logPriceAt(96) // log(price / basePrice) one day after the origin
 */
export class GarchPath {
  /** Step index (ms / 15m) of the origin; x = 0 there. */
  readonly originIndex: number;
  private readonly params: GarchParams;
  private readonly marketSeed: number;
  private readonly symbolSeed: number;
  private readonly marketBeta: number;
  private logPrice = new Float64Array(0);
  private sigma = new Float32Array(0);
  private length = 0;
  // Recursion state after the last computed step.
  private state = { x: 0, h: 0, g: 0, lastMarketShock: 0, lastIdio: 0, regime: 1 };

  constructor(options: { symbol: string; seed: number; originMs: number; params?: GarchParams }) {
    this.params = options.params ?? GARCH_DEFAULTS;
    const { alpha, beta, idioAlpha, idioBeta, tailDf } = this.params;
    if (!(alpha >= 0 && beta >= 0 && alpha + beta < 1 && idioAlpha >= 0 && idioBeta >= 0 && idioAlpha + idioBeta < 1)) {
      throw new Error('GARCH parameters need α, β ≥ 0 and α + β < 1');
    }
    if (!(tailDf > 2)) throw new Error(`tailDf must be > 2, got ${tailDf}`);
    this.originIndex = Math.floor(options.originMs / STEP_MS);
    this.marketSeed = mix(options.seed >>> 0, 0x6d61726b);
    this.symbolSeed = mix(options.seed >>> 0, seedOf(options.symbol));
    const [low, high] = this.params.betaRange;
    this.marketBeta = low + (high - low) * hash01(this.symbolSeed, 0, SALT.beta);
    this.state.h = this.marketVariance(1);
    this.state.g = this.idioVariance();
    this.state.regime = Math.floor(hash01(this.marketSeed, this.originIndex, SALT.regime) * this.params.regimes.length);
  }

  /** The symbol's market beta. */
  get beta(): number {
    return this.marketBeta;
  }

  /** log(price / basePrice) at the 15m boundary `index` (ms / 15m); the origin's value before it. */
  logPriceAt(index: number): number {
    const k = index - this.originIndex;
    if (k <= 0) return 0;
    this.grow(k);
    return this.logPrice[k - 1]!;
  }

  /** Conditional standard deviation of the 15m log return ending at boundary `index + 1` (the candle opening at `index`). */
  sigmaAt(index: number): number {
    const k = index - this.originIndex + 1;
    if (k <= 0) return Math.sqrt(this.marketBeta ** 2 * this.marketVariance(1) + this.idioVariance());
    this.grow(k);
    return this.sigma[k - 1]!;
  }

  /** Long-run standard deviation of one 15m return (sideways-free average), for scaling volume. */
  typicalSigma(): number {
    return Math.sqrt(this.marketBeta ** 2 * this.marketVariance(1) + this.idioVariance());
  }

  private marketVariance(multiplier: number): number {
    return (this.params.marketVolAnnual * multiplier) ** 2 / STEPS_PER_YEAR;
  }

  private idioVariance(): number {
    return this.params.idioVolAnnual ** 2 / STEPS_PER_YEAR;
  }

  /** Computes steps up to `k` (1-based count of steps after the origin). */
  private grow(k: number): void {
    if (k <= this.length) return;
    if (k > this.logPrice.length) {
      const capacity = Math.max(k, this.logPrice.length * 2, 4096);
      const logPrice = new Float64Array(capacity);
      logPrice.set(this.logPrice.subarray(0, this.length));
      const sigma = new Float32Array(capacity);
      sigma.set(this.sigma.subarray(0, this.length));
      this.logPrice = logPrice;
      this.sigma = sigma;
    }
    const p = this.params;
    const switchProbability = STEP_MS / (p.regimeDays * 86_400_000);
    const kappa = p.reversionPerYear / STEPS_PER_YEAR;
    const idioLongRun = this.idioVariance();
    const s = this.state;
    for (let step = this.length; step < k; step++) {
      const index = this.originIndex + step + 1;
      // Regime: a rare switch to one of the other states.
      if (hash01(this.marketSeed, index, SALT.regime) < switchProbability) {
        const jump = 1 + Math.floor(hash01(this.marketSeed, index, SALT.regime + 1) * (p.regimes.length - 1));
        s.regime = (s.regime + jump) % p.regimes.length;
      }
      const regime = p.regimes[s.regime]!;
      const marketLongRun = this.marketVariance(regime.volMultiplier);
      s.h = Math.min(marketLongRun * (1 - p.alpha - p.beta) + p.alpha * s.lastMarketShock ** 2 + p.beta * s.h, MAX_VARIANCE_RATIO * marketLongRun);
      s.g = Math.min(idioLongRun * (1 - p.idioAlpha - p.idioBeta) + p.idioAlpha * s.lastIdio ** 2 + p.idioBeta * s.g, MAX_VARIANCE_RATIO * idioLongRun);
      const marketShock = Math.sqrt(s.h) * studentT(this.marketSeed, index, SALT.marketZ, p.tailDf);
      const idio = Math.sqrt(s.g) * studentT(this.symbolSeed, index, SALT.idioZ, p.tailDf);
      const drift = regime.driftAnnual / STEPS_PER_YEAR;
      s.x += this.marketBeta * (drift + marketShock) + idio - kappa * s.x;
      s.lastMarketShock = marketShock;
      s.lastIdio = idio;
      this.logPrice[step] = s.x;
      this.sigma[step] = Math.sqrt(this.marketBeta ** 2 * s.h + s.g);
    }
    this.length = k;
  }
}

/** Unit-variance Student-t draw, clipped at ±MAX_Z, from hashes of (seed, index, salt). */
function studentT(seed: number, index: number, salt: number, df: number): number {
  const z = normal(seed, index, salt);
  // Chi-square with `df` degrees of freedom as a sum of squared normals (df rounded down).
  const n = Math.max(3, Math.floor(df));
  let chi = 0;
  for (let j = 1; j <= n; j++) chi += normal(seed, index, salt + 100 * j) ** 2;
  const t = (z / Math.sqrt(chi / n)) * Math.sqrt((n - 2) / n);
  return Math.max(-MAX_Z, Math.min(MAX_Z, t));
}

/** Standard normal by Box–Muller. */
function normal(seed: number, index: number, salt: number): number {
  const u1 = 1 - hash01(seed, index, salt);
  const u2 = hash01(seed, index, salt + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A uniform number in [0, 1) from (seed, index, salt); lowbias32 mixing, the index split into
 * two 32-bit halves so step indices past 2³¹ stay distinct.
 * @example hash01(1, 2, 3) === hash01(1, 2, 3) // true
 */
export function hash01(seed: number, index: number, salt: number): number {
  const high = Math.floor(index / 4294967296);
  let h = seed ^ Math.imul(index | 0, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca77) ^ Math.imul(high, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a of a text: a stable 32-bit seed. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
