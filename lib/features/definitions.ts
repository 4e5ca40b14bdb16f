/**
 * The indicators the live trader reads from the `features` dataset, named by short specs
 * (`sma:20`, `bollinger:20:2`, `macd:12:26:9`). Each spec yields named columns computed by the
 * same functions the backtest strategies use (lib/indicators), so both read the same numbers.
 */
import { atr, bollinger, donchian, ema, macd, rsi, sma } from '../indicators/index.ts';
import type { SeriesColumns } from '../lake/ohlcv-store.ts';

export interface FeatureDefinition {
  spec: string;
  /** Column names this feature writes, e.g. `bb_upper_20_2`. */
  columns: string[];
  compute(series: SeriesColumns): Float64Array[];
}

/** The default set: what a trend/mean-reversion trader commonly watches. */
export const DEFAULT_FEATURES: readonly string[] = [
  'sma:20', 'sma:50', 'ema:20', 'rsi:14', 'atr:14', 'bollinger:20:2', 'macd:12:26:9', 'donchian:20',
];

const BUILDERS: Record<string, { args: number; build: (a: number[]) => Omit<FeatureDefinition, 'spec'> }> = {
  sma: { args: 1, build: ([p]) => ({ columns: [`sma_${p}`], compute: (s) => [sma(s.close, p!)] }) },
  ema: { args: 1, build: ([p]) => ({ columns: [`ema_${p}`], compute: (s) => [ema(s.close, p!)] }) },
  rsi: { args: 1, build: ([p]) => ({ columns: [`rsi_${p}`], compute: (s) => [rsi(s.close, p!)] }) },
  atr: { args: 1, build: ([p]) => ({ columns: [`atr_${p}`], compute: (s) => [atr(s.high, s.low, s.close, p!)] }) },
  bollinger: {
    args: 2,
    build: ([p, k]) => ({
      columns: [`bb_lower_${p}_${k}`, `bb_middle_${p}_${k}`, `bb_upper_${p}_${k}`].map((c) => c.replace('.', '_')),
      compute: (s) => {
        const b = bollinger(s.close, p!, k!);
        return [b.lower, b.middle, b.upper];
      },
    }),
  },
  macd: {
    args: 3,
    build: ([f, sl, sg]) => ({
      columns: [`macd_${f}_${sl}_${sg}`, `macd_signal_${f}_${sl}_${sg}`, `macd_hist_${f}_${sl}_${sg}`],
      compute: (s) => {
        const m = macd(s.close, f!, sl!, sg!);
        return [m.macd, m.signal, m.histogram];
      },
    }),
  },
  donchian: {
    args: 1,
    build: ([p]) => ({
      columns: [`donchian_lower_${p}`, `donchian_upper_${p}`],
      compute: (s) => {
        const d = donchian(s.high, s.low, p!);
        return [d.lower, d.upper];
      },
    }),
  },
};

/**
 * Parses a feature spec; throws a message naming the problem.
 * @example parseFeatureSpec('bollinger:20:2').columns // ['bb_lower_20_2', 'bb_middle_20_2', 'bb_upper_20_2']
 */
export function parseFeatureSpec(spec: string): FeatureDefinition {
  const [name, ...rawArgs] = spec.split(':');
  const builder = BUILDERS[name ?? ''];
  if (!builder) throw new Error(`unknown feature "${name}" in "${spec}"; known: ${Object.keys(BUILDERS).join(', ')}`);
  const args = rawArgs.map(Number);
  if (args.length !== builder.args || args.some((a) => !Number.isFinite(a) || a <= 0)) {
    throw new Error(`feature "${spec}" needs ${builder.args} positive number${builder.args > 1 ? 's' : ''} after "${name}:"`);
  }
  return { spec, ...builder.build(args) };
}
