/** A JobLogger that keeps every line, for asserting on what the Telegram client logs. */
import type { JobLogger } from '../../../lib/logging/types.ts';
import { logCallText, recordCapturedOutput } from '../../harness/secret-log-guard.ts';

export interface CapturedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** @example const logger = captureLogger(); logger.warn('x'); logger.lines[0].level // 'warn' */
export function captureLogger(): JobLogger & { lines: CapturedLine[]; text(): string } {
  const lines: CapturedLine[] = [];
  const at = (level: CapturedLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
    recordCapturedOutput(logCallText(level, message, fields), 'captureLogger');
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => lines.map((line) => `${line.level} ${line.message} ${JSON.stringify(line.fields ?? {})}`).join('\n'),
  };
}
