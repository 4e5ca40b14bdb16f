/** Every chaos scenario, in the order the table lists them. */
import { backtestScenarios } from './backtest-supervision.ts';
import { concurrencyScenarios } from './concurrency.ts';
import { crashScenarios } from './crashes.ts';
import { exchangeScenarios } from './exchange-faults.ts';
import { s3Scenarios } from './s3-faults.ts';
import { telegramScenario } from './telegram-outage.ts';
import type { Scenario } from './types.ts';

export const ALL_SCENARIOS: Scenario[] = [...exchangeScenarios, ...s3Scenarios, ...crashScenarios, ...backtestScenarios, telegramScenario, ...concurrencyScenarios];
