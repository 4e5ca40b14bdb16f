/**
 * Kept so `npx tsx test/stand-ins/binance/main.ts --port 8080` still works: the stand-in runs from
 * lib/replay-exchange/binance/main.ts now.
 */
import '../../../lib/replay-exchange/binance/main.ts';
