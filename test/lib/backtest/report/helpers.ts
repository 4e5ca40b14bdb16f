/** Small readers shared by the report tests: series of an option, PNG header fields. */
import type { EChartsOption } from 'echarts';

export interface PlainSeries {
  name: string;
  type: string;
  data: Array<[number, number] | [number, number, number]>;
  symbol?: string;
  symbolRotate?: number;
}

/** The option's series as plain objects (the builders always return an array). */
export function seriesOf(option: EChartsOption): PlainSeries[] {
  return option.series as unknown as PlainSeries[];
}

export function seriesNamed(option: EChartsOption, name: string): PlainSeries {
  const found = seriesOf(option).find((s) => s.name === name);
  if (!found) throw new Error(`no series named ${name}`);
  return found;
}

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the IHDR chunk, which always follows the 8-byte signature. */
export function pngSize(png: Uint8Array): { width: number; height: number; chunk: string } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return {
    chunk: String.fromCharCode(...png.subarray(12, 16)),
    width: view.getUint32(16),
    height: view.getUint32(20),
  };
}
