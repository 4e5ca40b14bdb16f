/** The daemon's own CPU share (process.cpuUsage delta over wall time) and resident memory. */
import type { FootprintSample } from './types.ts';

/**
 * A sampler: each call returns the CPU % used since the previous call (100 = one core busy).
 * @example const sample = processFootprint(); const { cpuPct, rssBytes } = sample();
 */
export function processFootprint(): () => FootprintSample {
  let lastCpu = process.cpuUsage();
  let lastWallNs = process.hrtime.bigint();
  return () => {
    const cpu = process.cpuUsage(lastCpu);
    const wallNs = process.hrtime.bigint();
    const wallUs = Number(wallNs - lastWallNs) / 1000;
    lastCpu = process.cpuUsage();
    lastWallNs = wallNs;
    const cpuPct = wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10 : 0;
    return { cpuPct, rssBytes: process.memoryUsage.rss() };
  };
}
