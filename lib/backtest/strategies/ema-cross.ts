/** EMA cross: long when the fast exponential moving average crosses above the slow one (12/26). */
import { ema } from '../../indicators/index.ts';
import { averageCross } from './average-cross.ts';

export const emaCross = averageCross('ema-cross', 'ema', 'EMA', ema, 12, 26);
