/**
 * Suite-wide check that no secret is ever logged. Loaded as a vitest setup file, so it runs in
 * every test worker before each test file: it records what the worker writes to process.stdout
 * and process.stderr (Powertools' Logger writes there through its own Console, which vitest's
 * console interception never sees) and every console.* call (vitest replaces the worker's console
 * with one that does not write to process.stdout). Harness code that captures output elsewhere (a
 * child process's pipes, a mocked stdout, an in-memory logger) hands it over with
 * recordCapturedOutput. After each file, a recorded line holding a fake secret from
 * test-secrets.ts or anything secret-shaped fails that file.
 *
 * HTTP requests to the stand-ins are not recorded: a token in a Bot API URL path is where a
 * token belongs, not a leak.
 */
import { format, inspect, type InspectOptions } from 'node:util';
import { afterAll } from 'vitest';
import { findSecrets, redactSecrets, TEST_SECRETS } from './test-secrets.ts';

/** One line of output and where it came from (`process.stdout`, `console.warn`, `cli stderr`, …). */
export interface CapturedLine {
  source: string;
  line: string;
}

/** A recorded line holding a secret: the secret names, and the line with them replaced. */
export interface SecretLeak {
  source: string;
  names: string[];
  excerpt: string;
}

interface GuardState {
  lines: CapturedLine[];
  /** Stream writes need not end at a newline; the unfinished line waits here, by source. */
  partial: Map<string, string>;
}

// On globalThis so the state and the stream patches survive this module being evaluated again in
// the same worker (once per test file when workers are reused): one recorder, never stacked ones.
const STATE_KEY = Symbol.for('candlelake.secret-log-guard');
const globals = globalThis as typeof globalThis & { [STATE_KEY]?: GuardState };
const state: GuardState = (globals[STATE_KEY] ??= { lines: [], partial: new Map() });

const EXCERPT_CHARS = 160;

/**
 * Records `text` (any number of lines) as output from `source`; call it wherever harness code
 * captures output that a real run would print or log.
 * @example child.on('close', () => recordCapturedOutput(stderr, 'cli update stderr'));
 */
export function recordCapturedOutput(text: string, source: string): void {
  for (const line of text.split('\n')) if (line !== '') state.lines.push({ source, line });
}

/**
 * The line an in-memory JobLogger's call stands for, fields rendered in full (an Error with its
 * message and stack), since a real logger would print all of them.
 * @example recordCapturedOutput(logCallText('warn', 'retrying', { attempt: 2 }), 'captureLogger');
 */
export function logCallText(level: string, message: string, fields?: unknown): string {
  const rendered = fields === undefined ? '' : ` ${inspect(fields, { depth: Infinity, breakLength: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity })}`;
  return `${level} ${message}${rendered}`;
}

/** Stream chunks: whole lines now, the rest once its newline (or the end of the file) arrives. */
function recordChunk(text: string, source: string): void {
  const pending = (state.partial.get(source) ?? '') + text;
  const end = pending.lastIndexOf('\n');
  state.partial.set(source, pending.slice(end + 1));
  if (end !== -1) recordCapturedOutput(pending.slice(0, end), source);
}

function chunkText(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk).toString('utf8');
  return String(chunk);
}

/**
 * Every recorded line that holds a secret, each with a redacted excerpt around the first one.
 * Pure, so a test can show the guard failing without leaking anything itself.
 * @example checkCapturedLines([{ source: 'console.log', line: `token ${TELEGRAM_TEST_TOKEN}` }])[0]?.names // ['TELEGRAM_TEST_TOKEN', 'telegram-bot-token']
 */
export function checkCapturedLines(lines: readonly CapturedLine[], known: Readonly<Record<string, string>> = TEST_SECRETS): SecretLeak[] {
  const leaks: SecretLeak[] = [];
  for (const { source, line } of lines) {
    const matches = findSecrets(line, known);
    if (matches.length === 0) continue;
    const redacted = redactSecrets(line, matches);
    const start = Math.max(0, redacted.indexOf('<secret ') - EXCERPT_CHARS / 2);
    const end = start + EXCERPT_CHARS;
    // Redacted again: cutting a window can turn a near-miss at its edge into a secret shape.
    const shown = redactSecrets(redacted.slice(start, end), findSecrets(redacted.slice(start, end), known));
    leaks.push({
      source,
      names: [...new Set(matches.map((m) => m.name))],
      excerpt: `${start > 0 ? '…' : ''}${shown}${end < redacted.length ? '…' : ''}`,
    });
  }
  return leaks;
}

/** The failure message for `file`: each leak's source, secret names and redacted excerpt, never the secret. */
export function describeLeaks(file: string, leaks: readonly SecretLeak[]): string {
  // The source is harness-chosen text (it may quote a command line), so it is redacted as well.
  const shown = leaks.slice(0, 10).map((leak) => `  [${redactSecrets(leak.source)}] ${leak.names.join(', ')}: ${leak.excerpt}`);
  const more = leaks.length > shown.length ? [`  … and ${leaks.length - shown.length} more`] : [];
  return [`${file}: ${leaks.length} captured output line(s) contain a secret`, ...shown, ...more].join('\n');
}

/** Takes the lines recorded so far (flushing unfinished stream lines), leaving the recorder empty. */
export function drainCapturedLines(): CapturedLine[] {
  for (const [source, rest] of state.partial) recordCapturedOutput(rest, source);
  state.partial.clear();
  return state.lines.splice(0, state.lines.length);
}

const PATCHED = Symbol.for('candlelake.secret-log-guard.patched');
type Patchable = { [PATCHED]?: true };

function patchStream(stream: NodeJS.WriteStream, source: string): void {
  if ((stream as Patchable)[PATCHED]) return;
  const write = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    recordChunk(chunkText(chunk), source);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stream.write;
  (stream as Patchable)[PATCHED] = true;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

function patchConsole(target: Console): void {
  if ((target as Patchable)[PATCHED]) return;
  for (const method of CONSOLE_METHODS) {
    const original = target[method] as (...args: unknown[]) => void;
    target[method] = function (this: Console, ...args: unknown[]) {
      // console.dir's second argument is inspect options, not something it prints.
      recordCapturedOutput(method === 'dir' ? inspect(args[0], args[1] as InspectOptions) : format(...args), `console.${method}`);
      return original.apply(this, args);
    } as Console[typeof method];
  }
  (target as Patchable)[PATCHED] = true;
}

patchStream(process.stdout, 'process.stdout');
patchStream(process.stderr, 'process.stderr');
patchConsole(globalThis.console);

// Whatever an earlier file in this worker left over is not this file's output.
drainCapturedLines();

// Registered first, so with vitest's stack order for after-hooks it runs after the file's own
// afterAll hooks, and output from their teardown is checked too.
afterAll((suite) => {
  const leaks = checkCapturedLines(drainCapturedLines());
  if (leaks.length === 0) return;
  const file = 'filepath' in suite ? suite.filepath : suite.file.filepath;
  throw new Error(describeLeaks(file, leaks));
});
