/**
 * Types of the Telegram Bot API stand-in: its options, the handle a test holds, what it records,
 * and the fault rules a test uses to make Telegram misbehave.
 */
import type { FaultRuleOf, RuleController, RuleHandle } from '../shared/rule-registry.ts';

/** Options of {@link TelegramStandIn}. */
export interface TelegramStandInOptions {
  /** The one bot token the stand-in accepts; any other answers 401 Unauthorized. */
  token: string;
  /** Wall clock in ms, used for the `date` of sent messages. Default `Date.now`. */
  now?: () => number;
  /** Default `'127.0.0.1'`. */
  host?: string;
}

/** One message Telegram accepted: what a person in the chat would have seen. */
export interface RecordedMessage {
  messageId: number;
  /** The `chat_id` as sent, as a string (`'12345'`, `'-100123'`, `'@channel'`). */
  chatId: string;
  kind: 'text' | 'photo';
  /** Text (or caption) after entity parsing: the characters a person reads. `''` for a photo without caption. */
  text: string;
  /** Text (or caption) exactly as the bot sent it. */
  raw: string;
  parseMode: string | undefined;
  /** Size of the uploaded photo in bytes; only for photos. */
  photoBytes?: number;
  /** The uploaded photo itself; only for photos. */
  photo?: Uint8Array;
  /** Unix seconds, as in Telegram's `date`. */
  dateSec: number;
}

/** One request as the stand-in saw it, accepted or not. */
export interface RecordedRequest {
  /** Bot API method, e.g. `'sendMessage'`; `''` when the path was not `/bot<token>/<method>`. */
  method: string;
  /** True when the path carried the configured token. */
  tokenValid: boolean;
  /** HTTP status answered; 0 when the socket was closed or the answer is still pending. */
  status: number;
  /** Wall-clock arrival time (real time, not `now`). */
  atMs: number;
}

/** What a fault does to the requests it matches. */
export type FaultAction =
  /**
   * Answer with this status instead. 429 answers Telegram's `Too Many Requests: retry after N`
   * with `parameters.retry_after` (default 3 s); other codes answer Telegram's JSON error unless
   * `html` asks for the page a proxy in front sends.
   */
  | { type: 'status'; status: number; retryAfterSec?: number; description?: string; html?: boolean }
  /** Every matching request fails: 502 from the proxy (`'bad-gateway'`) or the socket closed (`'socket'`). Use without `times`, then `clear()`. */
  | { type: 'outage'; mode: 'bad-gateway' | 'socket' }
  /** Hold the response this long, then answer normally (if the client is still there). */
  | { type: 'stall'; ms: number };

/** Which requests a rule applies to; omitted fields match everything. */
export interface FaultMatch {
  /** Bot API method name, e.g. `'sendMessage'`. */
  method?: string;
}

/** One fault: what to do, to which requests, how many times. */
export type FaultRule = FaultRuleOf<FaultMatch, FaultAction>;

/** A rule once added. */
export type FaultHandle = RuleHandle;

/** Adds and clears fault rules. */
export type FaultController = RuleController<FaultRule>;

/** A running stand-in. */
export interface TelegramStandIn {
  /** Base URL to use as grammY's `apiRoot` / TELEGRAM_API_URL, e.g. `'http://127.0.0.1:40123'` (no trailing slash). */
  url: string;
  /** Every accepted message, in order. Live array. */
  messages: RecordedMessage[];
  /** Every request, in arrival order. Live array. */
  requests: RecordedRequest[];
  faults: FaultController;
  /** Stops the server and drops open (stalled) connections. */
  close(): Promise<void>;
}
