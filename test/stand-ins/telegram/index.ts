/**
 * A Telegram Bot API server on loopback: the Telegram the real grammY client talks to in tests.
 * `sendMessage`, `sendPhoto` and `getMe` with Telegram's envelope, MarkdownV2 checking, length
 * limits, 401 for a wrong token, and injectable faults (status with retry_after, outage, stall).
 * It records every accepted message as a person in the chat would have seen it.
 */
export { startTelegramStandIn } from './server.ts';
export { parseMarkdownV2, type MarkdownV2Parse } from './markdown-v2.ts';
export type {
  FaultAction,
  FaultController,
  FaultHandle,
  FaultMatch,
  FaultRule,
  RecordedMessage,
  RecordedRequest,
  TelegramStandIn,
  TelegramStandInOptions,
} from './types.ts';
