/** SMA cross: long when the fast simple moving average crosses above the slow one (10/30). */
import { sma } from '../../indicators/index.ts';
import { averageCross } from './average-cross.ts';

export const smaCross = averageCross('sma-cross', 'sma', 'SMA', sma, 10, 30);
