/**
 * The HTTP side of the Telegram stand-in: routes `/bot<token>/<method>`, reads JSON, urlencoded
 * and multipart bodies like the Bot API does, applies faults, and answers in Telegram's envelope
 * (`{ok:true,result}` or `{ok:false,error_code,description,parameters?}`).
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelegramFaultRegistry } from './faults.ts';
import { parseMarkdownV2 } from './markdown-v2.ts';
import { parseMultipart } from './multipart.ts';
import type { FaultAction, RecordedMessage, RecordedRequest, TelegramStandIn, TelegramStandInOptions } from './types.ts';

/** Telegram's limits, in UTF-16 code units of the text after entity parsing. */
const MAX_TEXT_CHARS = 4096;
const MAX_CAPTION_CHARS = 1024;
const DEFAULT_RETRY_AFTER_SEC = 3;
const BOT_ID = 7000000001;

type Params = Map<string, string | Blob>;

interface Reply {
  status: number;
  body: string;
  contentType: string;
}

/** Thrown while handling a request to answer with Telegram's error envelope. */
class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

/**
 * Starts a Telegram Bot API stand-in on a free loopback port.
 * @example
 * const telegram = await startTelegramStandIn({ token: '123:TEST' });
 * // point grammY at it: new Api('123:TEST', { apiRoot: telegram.url })
 * await telegram.close();
 */
export async function startTelegramStandIn(options: TelegramStandInOptions): Promise<TelegramStandIn> {
  const now = options.now ?? Date.now;
  const faults = new TelegramFaultRegistry();
  const messages: RecordedMessage[] = [];
  const requests: RecordedRequest[] = [];
  let nextMessageId = 1;

  const accept = (message: Omit<RecordedMessage, 'messageId' | 'dateSec'>): RecordedMessage => {
    const recorded: RecordedMessage = { ...message, messageId: nextMessageId++, dateSec: Math.floor(now() / 1000) };
    messages.push(recorded);
    return recorded;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const method = route?.[2] ?? '';
    const tokenValid = route !== null && decodeURIComponent(route[1] ?? '') === options.token;
    const record: RecordedRequest = { method, tokenValid, status: 0, atMs: Date.now() };
    requests.push(record);
    const send = (reply: Reply): void => {
      if (res.destroyed) return;
      record.status = reply.status;
      res.writeHead(reply.status, { 'Content-Type': reply.contentType });
      res.end(reply.body);
    };

    const fault = faults.take(method);
    if (fault !== undefined) {
      if (fault.type === 'outage' && fault.mode === 'socket') {
        req.socket.destroy();
        return;
      }
      if (fault.type === 'stall') {
        await stall(fault.ms, res);
        if (res.destroyed) return;
      } else {
        send(faultReply(fault));
        return;
      }
    }

    try {
      if (route === null) throw new ApiFailure(404, 'Not Found');
      if (!tokenValid) throw new ApiFailure(401, 'Unauthorized');
      const params = await readParams(req, url);
      const result: unknown = await callMethod(method, params, accept);
      send(json(200, { ok: true, result }));
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      const body: Record<string, unknown> = { ok: false, error_code: error.status, description: error.description };
      if (error.parameters !== undefined) body['parameters'] = error.parameters;
      send(json(error.status, body));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;

  return {
    url: `http://${address.address}:${address.port}`,
    messages,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        faults.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function callMethod(method: string, params: Params, accept: (message: Omit<RecordedMessage, 'messageId' | 'dateSec'>) => RecordedMessage): unknown {
  switch (method) {
    case 'getMe':
      return { id: BOT_ID, is_bot: true, first_name: 'Candlelake Stand-in', username: 'candlelake_standin_bot', can_join_groups: true };
    case 'sendMessage': {
      const chatId = requireChat(params);
      const raw = stringParam(params, 'text') ?? '';
      const parseMode = stringParam(params, 'parse_mode') || undefined;
      const text = visibleText(raw, parseMode);
      if (text.trim() === '') throw new ApiFailure(400, 'Bad Request: message text is empty');
      if (text.length > MAX_TEXT_CHARS) throw new ApiFailure(400, 'Bad Request: message is too long');
      const message = accept({ chatId, kind: 'text', text, raw, parseMode });
      return { message_id: message.messageId, date: message.dateSec, chat: chatOf(chatId), text };
    }
    case 'sendPhoto': {
      const chatId = requireChat(params);
      const photo = params.get('photo');
      if (photo === undefined) throw new ApiFailure(400, 'Bad Request: there is no photo in the request');
      if (typeof photo === 'string') throw new ApiFailure(400, 'Bad Request: wrong file identifier/HTTP URL specified');
      return photo.arrayBuffer().then((buffer) => {
        const bytes = new Uint8Array(buffer);
        const size = imageSize(bytes);
        const raw = stringParam(params, 'caption') ?? '';
        const parseMode = stringParam(params, 'parse_mode') || undefined;
        const text = raw === '' ? '' : visibleText(raw, parseMode);
        if (text.length > MAX_CAPTION_CHARS) throw new ApiFailure(400, 'Bad Request: message caption is too long');
        const message = accept({ chatId, kind: 'photo', text, raw, parseMode, photoBytes: bytes.length, photo: bytes });
        const result: Record<string, unknown> = {
          message_id: message.messageId,
          date: message.dateSec,
          chat: chatOf(chatId),
          photo: photoSizes(message.messageId, size, bytes.length),
        };
        if (text !== '') result['caption'] = text;
        return result;
      });
    }
    default:
      throw new ApiFailure(404, 'Not Found');
  }
}

function faultReply(action: Exclude<FaultAction, { type: 'stall' }>): Reply {
  if (action.type === 'outage') return htmlPage(502);
  if (action.html === true) return htmlPage(action.status);
  if (action.status === 429) {
    const retryAfterSec = action.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC;
    return json(429, {
      ok: false,
      error_code: 429,
      description: action.description ?? `Too Many Requests: retry after ${retryAfterSec}`,
      parameters: { retry_after: retryAfterSec },
    });
  }
  return json(action.status, { ok: false, error_code: action.status, description: action.description ?? STATUS_CODES[action.status] ?? 'Error' });
}

function json(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body), contentType: 'application/json' };
}

/** The page nginx in front of the Bot API sends when the backend is down. */
function htmlPage(status: number): Reply {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return {
    status,
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n`,
    contentType: 'text/html',
  };
}

/** Waits `ms`, or less if the client goes away (or the stand-in closes). */
function stall(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Bot API parameters from the query string and a JSON, urlencoded or multipart body. */
async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const params: Params = new Map(url.searchParams);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return params;
  const contentType = req.headers['content-type'] ?? '';
  try {
    if (contentType.startsWith('application/json')) {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      for (const [key, value] of Object.entries(parsed)) {
        if (value !== null && value !== undefined) params.set(key, typeof value === 'string' ? value : JSON.stringify(value));
      }
    } else if (contentType.startsWith('multipart/form-data')) {
      for (const part of parseMultipart(body, contentType)) {
        params.set(part.name, part.filename === undefined ? part.data.toString('utf8') : new Blob([part.data]));
      }
    } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
      for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value);
    }
  } catch {
    throw new ApiFailure(400, 'Bad Request: invalid request body');
  }
  // A file sent as its own part is referenced as `attach://<part name>`.
  for (const [key, value] of params) {
    if (typeof value !== 'string' || !value.startsWith('attach://')) continue;
    const file = params.get(value.slice('attach://'.length));
    if (typeof file !== 'object') throw new ApiFailure(400, `Bad Request: file not found for ${key}`);
    params.set(key, file);
  }
  return params;
}

function stringParam(params: Params, name: string): string | undefined {
  const value = params.get(name);
  return typeof value === 'string' ? value : undefined;
}

function requireChat(params: Params): string {
  const chatId = stringParam(params, 'chat_id');
  if (chatId === undefined || chatId === '') throw new ApiFailure(400, 'Bad Request: chat_id is empty');
  return chatId;
}

function visibleText(raw: string, parseMode: string | undefined): string {
  if (parseMode === undefined) return raw;
  if (parseMode !== 'MarkdownV2') throw new ApiFailure(400, `Bad Request: unsupported parse_mode`);
  const parsed = parseMarkdownV2(raw);
  if (!parsed.ok) throw new ApiFailure(400, parsed.description);
  return parsed.text;
}

function chatOf(chatId: string): { id: number | string; type: string } {
  const id = Number(chatId);
  if (!Number.isFinite(id)) return { id: chatId, type: 'channel' };
  return { id, type: chatId.startsWith('-100') ? 'supergroup' : id < 0 ? 'group' : 'private' };
}

/** Width and height of a PNG or JPEG; anything else is what Telegram cannot process. */
function imageSize(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length === 0) throw new ApiFailure(400, 'Bad Request: file must be non-empty');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isPng = bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (isPng) return { width: view.getUint32(16), height: view.getUint32(20) };
  const isJpeg = bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8;
  if (isJpeg) return { width: 0, height: 0 };
  throw new ApiFailure(400, 'Bad Request: IMAGE_PROCESS_FAILED');
}

function photoSizes(messageId: number, size: { width: number; height: number }, bytes: number): unknown[] {
  const scale = Math.min(1, 90 / Math.max(size.width, size.height, 1));
  const fileId = (suffix: string): string => `AgACAgStandIn${messageId}${suffix}`;
  return [
    { file_id: fileId('s'), file_unique_id: `s${messageId}`, width: Math.round(size.width * scale), height: Math.round(size.height * scale), file_size: Math.min(bytes, 1500) },
    { file_id: fileId('x'), file_unique_id: `x${messageId}`, width: size.width, height: size.height, file_size: bytes },
  ];
}
