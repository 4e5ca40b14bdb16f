/**
 * Runs the Binance stand-in on its own with the default markets, for poking at it by hand or
 * pointing a local ccxt at it: `npx tsx lib/replay-exchange/binance/main.ts --port 8080 [--host 127.0.0.1]`.
 */
import { parseArgs } from 'node:util';
import { startBinanceStandIn } from './index.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer in 0..65535, got "${values.port}"`);
  process.exit(2);
}

const standIn = await startBinanceStandIn({ host: values.host, port });
console.log(`Binance stand-in listening on ${standIn.url}`);

const stop = (signal: NodeJS.Signals) => {
  console.log(`${signal}: stopping`);
  standIn.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('stand-in did not close cleanly', error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
