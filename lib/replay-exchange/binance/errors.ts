/**
 * Binance API errors: route handlers throw them, the server turns them into Binance's
 * `{"code":…,"msg":…}` bodies. Codes and texts are Binance's own, so ccxt maps them to the
 * same exception classes it would against the real exchange.
 */

/** An error answer in Binance's shape. */
export class BinanceApiError extends Error {
  override readonly name = 'BinanceApiError';
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }

  /** The JSON body Binance sends. */
  body(): string {
    return JSON.stringify({ code: this.code, msg: this.message });
  }
}

/**
 * -1102: a mandatory parameter is missing or empty.
 * @example throw missingParameter('symbol')
 */
export function missingParameter(name: string): BinanceApiError {
  return new BinanceApiError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

/**
 * -1100: a numeric parameter holds something else.
 * @example throw illegalCharacters('startTime')
 */
export function illegalCharacters(name: string, legalRange = '^[0-9]{1,20}$'): BinanceApiError {
  return new BinanceApiError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '${legalRange}'.`);
}

/** -1120. */
export const invalidInterval = (): BinanceApiError => new BinanceApiError(400, -1120, 'Invalid interval.');
/** -1121. */
export const invalidSymbol = (): BinanceApiError => new BinanceApiError(400, -1121, 'Invalid symbol.');
/** -1130, e.g. a klines limit above the maximum. */
export const invalidParameter = (): BinanceApiError => new BinanceApiError(400, -1130, 'Invalid data sent for a parameter.');
/** -1023. */
export const startAfterEnd = (): BinanceApiError => new BinanceApiError(400, -1023, 'Start time is greater than end time.');
/** -1128, e.g. both `symbol` and `symbols`. */
export const invalidCombination = (): BinanceApiError =>
  new BinanceApiError(400, -1128, 'Combination of optional parameters invalid.');

/**
 * The 404 for paths the stand-in does not serve.
 * @example notFound('GET', '/api/v3/depth')
 */
export function notFound(method: string, path: string): BinanceApiError {
  return new BinanceApiError(404, -1000, `Unknown endpoint: ${method} ${path}`);
}

/** -1000: a bug in the stand-in, reported the way Binance reports its own. */
export const unknownError = (): BinanceApiError =>
  new BinanceApiError(500, -1000, 'An unknown error occurred while processing the request.');
